/* Stage 6 — the complete server.
 *
 * Everything stages 0-5 built, composed into the server operators run in
 * place of redis-server for the commands it supports: several databases
 * (SELECT), what real clients send when they connect (HELLO and RESP3,
 * CLIENT, COMMAND, INFO, AUTH), a config file, safe defaults (loopback
 * only, protected mode), the append-only file on by default, and the seed
 * workshop's echo modes. It still serves from one thread: threads are the
 * part of the final server not built yet. Read workshop.md chapters 6-7. */
#include "commands/commands.h"
#include "seed.h"
#include "server.h"

int main(int argc, char **argv)
{
    int status;

    /* 0. The seed workshop's short options (-p 8888, -l udp, -x true,
     *    -e true) run their echo and exec modes to the end here; -p N -i I
     *    becomes --port N and goes on below as the Redis server. */
    if (seed_is_command_line(argc, argv) && seed_main(&argc, &argv, &status) == SEED_EXIT)
        return status;

    /* 1. Options: a config file, then --name value options over it. */
    server_offer_options(6);
    if (!server_start("stage6", argc, argv, &status))
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
    command_register(session_commands);        /* HELLO AUTH QUIT SELECT SWAPDB CLIENT TIME */
    command_register(introspection_commands);  /* COMMAND */

    /* 4. Replay the append-only file (on by default here), then log every
     *    write to it. */
    if (!server_enable_aof(&status))
        return status;

    /* 5. Serve until SIGINT or SIGTERM. */
    return server_run();
}
