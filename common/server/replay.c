/* replay: the AOF's commands through the dispatcher (stage 5). See replay.h. */
#include "server/replay.h"

#include <stdio.h>
#include <string.h>

#include "persist/aof.h"
#include "server/command.h"
#include "server/multi.h"

void replay_init(replay *r)
{
    memset(&r->fake, 0, sizeof(r->fake));
    r->fake.fd = -1;
    r->fake.resp = 2;
}

void replay_free(replay *r)
{
    multi_discard(&r->fake);    /* a transaction the file never ended (Part II) */
    buf_free(&r->fake.reply);
}

bool replay_command(void *data, db *d, int argc, const char **argv, const size_t *argvlen, char *err)
{
    replay *r = data;
    if (command_lookup(argv[0], argvlen[0]) == NULL) {
        snprintf(err, AOF_ERR_LEN, "Unknown command '%.*s' reading the append only file",
                 (int)(argvlen[0] > 64 ? 64 : argvlen[0]), argv[0]);
        return false;
    }
    r->fake.db = d;
    r->fake.argc = argc;
    r->fake.argv = argv;
    r->fake.argvlen = argvlen;
    command_execute(&r->fake);
    buf_clear(&r->fake.reply);  /* nobody to send replies to */
    return true;
}
