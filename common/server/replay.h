/* replay: the append-only file's commands, run again at start (stage 5).
 *
 * After a restart the dataset is rebuilt by running every command of the
 * file through the ordinary dispatcher, as if a client had sent it: a
 * client with no socket, whose replies nobody reads. The file itself is
 * read and checked by aof.c and aof_file.c; this is the part that needs
 * the command table, which is why it lives a layer above them.
 *
 *     replay r;
 *     replay_init(&r);
 *     aof_start(dbs, count, &cfg, replay_command, &r, err);
 *     replay_free(&r); */
#ifndef REPLAY_H
#define REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "data/db.h"
#include "server/client.h"

typedef struct replay {
    client fake;                /* the client the commands run as */
} replay;

void replay_init(replay *r);
void replay_free(replay *r);
/* An aof_replay_fn: runs one command of the file in database d. */
bool replay_command(void *data, db *d, int argc, const char **argv, const size_t *argvlen, char *err);

#endif
