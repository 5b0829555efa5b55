/* Stage 2 — set/get: a keyspace in a hash table, and a command table.
 *
 * Stage 1's server gains memory: a hash table that grows without pausing
 * (dict.c) holds the keyspace (db.c), and commands are found by name in a
 * table that checks their arity (command.c). Strings can hold integers
 * (num.c) and KEYS matches Redis's glob patterns (glob.c). The diff from
 * stage 1 is the list of command families below. Read workshop.md
 * chapter 2. */
#include "commands/commands.h"
#include "server/server.h"

int main(int argc, char **argv)
{
    int status;

    /* 1. Options (--port, --bind, --help), the event loop, the sockets. */
    if (!server_start("stage2", argc, argv, &status))
        return status;

    /* 2. The commands this stage serves. */
    command_register(connection_commands);     /* PING ECHO */
    command_register(string_commands);         /* SET GET MSET MGET APPEND STRLEN INCR DECR INCRBY DECRBY */
    command_register(key_commands);            /* DEL EXISTS KEYS DBSIZE FLUSHALL FLUSHDB */
    command_register(config_commands);         /* CONFIG GET (SET has nothing to change before stage 5) */

    /* 3. Serve until SIGINT or SIGTERM. */
    return server_run();
}
