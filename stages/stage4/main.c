/* Stage 4 — lists: a second type of value.
 *
 * Until now every value was a string. Values become tagged objects (db.h)
 * and every command checks the tag before it acts, answering WRONGTYPE
 * when a key holds the other kind. The new kind is the list, built like
 * Redis's quicklist: a linked list of small packed arrays, fast at both
 * ends and compact in memory (list.c). Read workshop.md chapter 4. */
#include "commands/commands.h"
#include "server/server.h"

int main(int argc, char **argv)
{
    int status;

    /* 1. Expired keys nobody reads are collected by the 10 Hz cron. */
    server_enable_active_expiry();

    /* 2. Options (--port, --bind, --help), the event loop, the sockets. */
    if (!server_start("stage4", argc, argv, &status))
        return status;

    /* 3. The commands this stage serves. */
    command_register(connection_commands);     /* PING ECHO */
    command_register(string_commands);         /* SET GET MSET MGET APPEND STRLEN INCR DECR INCRBY DECRBY */
    command_register(key_commands);            /* DEL EXISTS KEYS DBSIZE FLUSHALL FLUSHDB */
    command_register(config_commands);         /* CONFIG GET (SET has nothing to change before stage 5) */
    command_register(ttl_commands);         /* SET with options, EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL PERSIST */
    command_register(info_commands);           /* INFO */
    command_register(list_commands);           /* LPUSH RPUSH LPUSHX RPUSHX LLEN LRANGE LINDEX LPOS LSET
                                                  LPOP RPOP LTRIM LREM LINSERT LMOVE TYPE */

    /* 4. Serve until SIGINT or SIGTERM. */
    return server_run();
}
