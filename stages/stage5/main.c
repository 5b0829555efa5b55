/* Stage 5 — aof: a dataset that survives a restart, and a crash.
 *
 * Everything so far lived in memory and died with the process. Now every
 * command that changed the dataset is appended, in RESP, to a file (aof.c),
 * and written there before its client hears the reply; the fsync policy
 * decides how much a power cut can take. On start the file is replayed
 * through the same commands (aof_file.c). BGREWRITEAOF compacts it from a
 * forked child while clients go on. Read workshop.md chapter 5. */
#include "commands/commands.h"
#include "server.h"

int main(int argc, char **argv)
{
    int status;

    /* 1. Options, now with --dir --appendonly --appendfsync --appendfilename;
     *    the event loop, the sockets. */
    server_offer_options(5);
    if (!server_start("stage5", argc, argv, &status))
        return status;

    /* 2. Expired keys nobody reads are collected by the 10 Hz cron. */
    server_enable_active_expiry();

    /* 3. The commands this stage serves. */
    command_register(connection_commands);     /* PING ECHO */
    command_register(string_commands);         /* SET GET MSET MGET APPEND STRLEN INCR DECR INCRBY DECRBY */
    command_register(key_commands);            /* DEL EXISTS KEYS DBSIZE FLUSHALL FLUSHDB */
    command_register(server_commands);         /* CONFIG GET SET */
    command_register(expire_commands);         /* SET with options, EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL PERSIST */
    command_register(info_commands);           /* INFO */
    command_register(list_commands);           /* LPUSH RPUSH LPUSHX RPUSHX LLEN LRANGE LINDEX LPOS LSET
                                                  LPOP RPOP LTRIM LREM LINSERT LMOVE TYPE */
    command_register(persistence_commands);    /* BGREWRITEAOF */

    /* 4. Replay the append-only file (with --appendonly yes), then log
     *    every write to it. Clients may connect meanwhile, but the loop
     *    that serves them starts only after the replay. */
    if (!server_enable_aof(&status))
        return status;

    /* 5. Serve until SIGINT or SIGTERM. */
    return server_run();
}
