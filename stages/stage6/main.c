/* Stage 6 — threads, and the complete server.
 *
 * The concept of this stage is threads: --threads N event loops
 * (reactors, io/reactor.c), one per core by default, each owning the
 * connections it was handed, around one server lock (server/lock.c), so
 * that commands still run one at a time and stay as atomic as Redis's.
 * Around it, everything stages 0-5 built is composed into the server
 * operators run in place of redis-server for the commands it supports:
 * several databases (SELECT), what real clients send when they connect
 * (HELLO and RESP3, CLIENT, COMMAND, INFO, AUTH), a config file, safe
 * defaults (loopback only, protected mode), the append-only file on by
 * default, and the seed workshop's echo modes. Read workshop.md chapters
 * 6-7. */
#include "commands/commands.h"
#include "seed.h"
#include "server/server.h"

int main(int argc, char **argv)
{
    int status;

    /* 0. The seed workshop's short options (-p 8888, -l udp, -x true,
     *    -e true) run their echo and exec modes to the end here; -p N -i I
     *    becomes --port N and goes on below as the Redis server. */
    if (seed_is_command_line(argc, argv) && seed_main(&argc, &argv, &status) == SEED_EXIT)
        return status;

    /* 1. What stages 3 and 5 turned on: active expiry, and the
     *    append-only file, here on unless --appendonly no. */
    server_enable_active_expiry();
    server_enable_aof(true);

    /* 2. New: threads. --threads N reactors serve the clients, one per
     *    core by default; commands run under one lock. */
    server_enable_threads();

    /* 3. New: what an operator needs around it: --databases for SELECT,
     *    --requirepass and --protected-mode, --maxclients and --timeout,
     *    --loglevel and --logfile, and a config file as first argument. */
    server_enable_databases();
    server_enable_security();
    server_enable_client_limits();
    server_enable_logging();
    server_enable_config_file();

    /* Part II: --maxmemory, and what goes when memory is full. */
    server_enable_memory_limit();

    /* 4. Options (a config file, then --name value over it), the event
     *    loop and its reactor threads, the sockets. */
    if (!server_start("stage6", argc, argv, &status))
        return status;

    /* 5. The commands this stage serves. */
    command_register(connection_commands);     /* PING ECHO */
    command_register(string_commands);         /* SET GET MSET MGET APPEND STRLEN INCR DECR INCRBY DECRBY */
    command_register(key_commands);            /* DEL EXISTS KEYS DBSIZE FLUSHALL FLUSHDB */
    command_register(config_commands);         /* CONFIG GET SET */
    command_register(ttl_commands);         /* SET with options, EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL PERSIST */
    command_register(info_commands);           /* INFO */
    command_register(list_commands);           /* LPUSH RPUSH LPUSHX RPUSHX LLEN LRANGE LINDEX LPOS LSET
                                                  LPOP RPOP LTRIM LREM LINSERT LMOVE TYPE */
    command_register(persistence_commands);    /* BGREWRITEAOF */
    command_register(session_commands);        /* HELLO AUTH QUIT SELECT SWAPDB CLIENT TIME */
    command_register(introspection_commands);  /* COMMAND */

    /* 6. Part II: the extensions of the final server, one family each
     *    (workshop.md Part II). */
    command_register(transaction_commands);    /* MULTI EXEC DISCARD WATCH UNWATCH */
    command_register(hash_commands);  /* Part II: hashes: HSET HGET HDEL HGETALL HINCRBY HRANDFIELD HSCAN ... */
    command_register(set_commands);   /* Part II: sets: SADD SREM SMEMBERS SPOP SINTER SUNION SDIFF SSCAN ... */
    command_register(key_more_commands);   /* Part II: keys: UNLINK RENAME RENAMENX COPY MOVE RANDOMKEY TOUCH
                                              EXPIRETIME PEXPIRETIME OBJECT SCAN */
    command_register(list_more_commands);  /* Part II: keys: RPOPLPUSH LMPOP */
    command_register(string_more_commands);    /* Part II: strings: SETNX SETEX PSETEX GETSET GETDEL GETEX MSETNX
                                                  SETRANGE GETRANGE SUBSTR INCRBYFLOAT LCS */
    command_register(bit_commands);    /* Part II: strings: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO */
    command_register(zset_commands);   /* Part II: sorted sets: ZADD ZRANGE ZRANK ZPOPMIN BZPOPMIN ZUNIONSTORE ZSCAN ... */
    command_register(list_blocking_commands);  /* Part II: blocking: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP */
    command_register(pubsub_commands);     /* Part II: pub/sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE
                                              PUBLISH PUBSUB SSUBSCRIBE SUNSUBSCRIBE SPUBLISH */

    /* 7. Replay the append-only file (on by default here), then log every
     *    write to it. */
    if (!server_replay_aof(&status))
        return status;

    /* 8. Serve until SIGINT or SIGTERM. */
    return server_run();
}
