/* Stage 3 — expiry: keys that die on time.
 *
 * Stage 2's keyspace learns time. A key may carry the Unix time, in
 * milliseconds, at which it dies (db.c keeps those times in a second
 * table). Two things make it die: every lookup checks the time first
 * (lazy expiry), and ten times a second a sampling cycle deletes the dead
 * keys nobody looks up any more (expire.c). SET gains its options (EX PX
 * EXAT PXAT NX XX KEEPTTL GET) and the EXPIRE family arrives. INFO shows
 * the memory coming back. Read workshop.md chapter 3. */
#include "commands/commands.h"
#include "server/server.h"

int main(int argc, char **argv)
{
    int status;

    /* 1. New: expired keys nobody reads are collected by the 10 Hz cron. */
    server_enable_active_expiry();

    /* 2. Options (--port, --bind, --help), the event loop, the sockets. */
    if (!server_start("stage3", argc, argv, &status))
        return status;

    /* 3. The commands this stage serves. */
    command_register(connection_commands);     /* PING ECHO */
    command_register(string_commands);         /* SET GET MSET MGET APPEND STRLEN INCR DECR INCRBY DECRBY */
    command_register(key_commands);            /* DEL EXISTS KEYS DBSIZE FLUSHALL FLUSHDB */
    command_register(config_commands);         /* CONFIG GET (SET has nothing to change before stage 5) */
    command_register(ttl_commands);         /* SET with options, EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL PERSIST */
    command_register(info_commands);           /* INFO */

    /* 4. Serve until SIGINT or SIGTERM. */
    return server_run();
}
