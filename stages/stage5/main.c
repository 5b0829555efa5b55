/* Stage 5 — aof: a dataset that survives a restart, and a crash.
 *
 * Everything so far lived in memory and died with the process. Now every
 * command that changed the dataset is appended, in RESP, to a file (aof.c),
 * and written there before its client hears the reply; the fsync policy
 * decides how much a power cut can take. On start the file is replayed
 * through the same commands (aof_file.c). BGREWRITEAOF compacts it from a
 * forked child while clients go on. Read workshop.md chapter 5. */
#include "commands/commands.h"
#include "server/server.h"

int main(int argc, char **argv)
{
    int status;

    /* 1. Expired keys nobody reads are collected by the 10 Hz cron. */
    server_enable_active_expiry();

    /* 2. New: the append-only file, off unless --appendonly yes, and its
     *    parameters --dir --appendonly --appendfsync --appendfilename. */
    server_enable_aof(false);

    /* 3. Options, the event loop, the sockets. */
    if (!server_start("stage5", argc, argv, &status))
        return status;

    /* 4. The commands this stage serves. */
    command_register(connection_commands);     /* PING ECHO */
    command_register(string_commands);         /* SET GET MSET MGET APPEND STRLEN INCR DECR INCRBY DECRBY */
    command_register(key_commands);            /* DEL EXISTS KEYS DBSIZE FLUSHALL FLUSHDB */
    command_register(config_commands);         /* CONFIG GET SET */
    command_register(ttl_commands);         /* SET with options, EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL PERSIST */
    command_register(info_commands);           /* INFO */
    command_register(list_commands);           /* LPUSH RPUSH LPUSHX RPUSHX LLEN LRANGE LINDEX LPOS LSET
                                                  LPOP RPOP LTRIM LREM LINSERT LMOVE TYPE */
    command_register(persistence_commands);    /* BGREWRITEAOF */

    /* 5. Replay the append-only file (with --appendonly yes), then log
     *    every write to it. Clients may connect meanwhile, but the loop
     *    that serves them starts only after the replay. */
    if (!server_replay_aof(&status))
        return status;

    /* 6. Serve until SIGINT or SIGTERM. */
    return server_run();
}
