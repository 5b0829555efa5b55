/* Fuzz target: the append-only file reader (stage 5).
 *
 * A damaged file must be told apart from a truncated one and never crash
 * the server that loads it. The bytes are read as a file would be, and
 * each complete command is run through the dispatcher with the commands
 * of stages 1-4, as a replay does. The result must describe the input
 * consistently: the valid prefix is no longer than the input, and a file
 * read as fine has every byte accounted for. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "persist/aof_file.h"
#include "server/command.h"
#include "commands/commands.h"
#include "data/db.h"
#include "data/dict.h"
#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db *keyspace;

static bool fuzz_run(void *ctx, int argc, const char **argv, const size_t *argvlen, char *err)
{
    (void)err;
    client *c = ctx;
    if (command_lookup(argv[0], argvlen[0]) == NULL)
        return false;
    c->argc = argc;
    c->argv = argv;
    c->argvlen = argvlen;
    command_execute(c);
    buf_clear(&c->reply);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (keyspace == NULL) {
        uint8_t seed[16] = {16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
        dict_seed(seed);
        keyspace = db_create();
        server.dbs = &keyspace;
        server.db_count = 1;
        command_register(connection_commands);
        command_register(string_commands);
        command_register(key_commands);
        command_register(ttl_commands);
        command_register(list_commands);
    }
    client c;
    memset(&c, 0, sizeof(c));
    c.db = keyspace;
    aof_read_result r = aof_file_read_bytes((const char *)data, size, fuzz_run, &c);
    buf_free(&c.reply);
    if (r.valid_bytes > size || (r.status == AOF_READ_OK && r.valid_bytes != size))
        abort();
    if (db_size(keyspace) > 10000)
        db_flush(keyspace);
    return 0;
}
