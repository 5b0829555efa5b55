/* Persistence commands: BGREWRITEAOF (stage 5).
 *
 * The append-only file itself needs no command: every write is logged as
 * it happens (aof.c). What it needs is compaction, since a key written a
 * thousand times is a thousand records. BGREWRITEAOF writes the dataset
 * as it is now, one command per key, without stopping the clients. */
#include <string.h>

#include "commands/commands.h"
#include "persist/aof.h"
#include "server/reply.h"

/* BGREWRITEAOF */
static void cmd_bgrewriteaof(client *c)
{
    char err[AOF_ERR_LEN];
    if (aof_rewrite_start(err))
        reply_simple(c, "Background append only file rewriting started");
    else
        reply_error(c, err);
}

const command persistence_commands[] = {
    {"bgrewriteaof", cmd_bgrewriteaof, 1, 0, 0, 0, 0, "server",
     "Asynchronously rewrites the append-only file to disk.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
