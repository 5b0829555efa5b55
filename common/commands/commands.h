/* commands: the command tables, one per family (stage 1 on).
 *
 * Each family file holds its commands as functions taking the client, and
 * exports a table a stage registers with command_register(). */
#ifndef COMMANDS_H
#define COMMANDS_H

#include "server/command.h"

extern const command connection_commands[];    /* PING ECHO (stage 1) */
extern const command string_commands[];        /* SET GET INCR ... (stage 2) */
extern const command key_commands[];           /* DEL EXISTS KEYS ... (stage 2) */
extern const command config_commands[];        /* CONFIG GET (stage 2) */
extern const command info_commands[];          /* INFO (stage 3) */
extern const command list_commands[];          /* LPUSH LPOP LRANGE ... TYPE (stage 4) */
extern const command persistence_commands[];   /* BGREWRITEAOF (stage 5) */
extern const command introspection_commands[]; /* COMMAND (stage 6) */
extern const command session_commands[];       /* HELLO AUTH QUIT SELECT SWAPDB CLIENT TIME (stage 6) */
extern const command ttl_commands[];        /* SET EX/PX/..., EXPIRE TTL PERSIST ... (stage 3) */
extern const command transaction_commands[];   /* MULTI EXEC DISCARD WATCH UNWATCH (Part II) */
extern const command hash_commands[];          /* HSET HGET HDEL HGETALL HSCAN ... (Part II: hashes) */
extern const command set_commands[];           /* SADD SREM SMEMBERS SINTER SUNION SDIFF SSCAN ... (Part II: sets) */
extern const command key_more_commands[];      /* UNLINK RENAME COPY MOVE RANDOMKEY OBJECT SCAN ... (Part II: keys) */
extern const command list_more_commands[];     /* RPOPLPUSH LMPOP (Part II: keys) */
extern const command string_more_commands[];   /* SETNX SETEX GETEX GETDEL SETRANGE INCRBYFLOAT LCS ... (Part II: strings) */
extern const command bit_commands[];           /* SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD (Part II: strings) */
extern const command zset_commands[];          /* ZADD ZRANGE ZPOPMIN ZUNIONSTORE ZSCAN ... (Part II: sorted sets) */

extern const command list_blocking_commands[]; /* BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP (Part II: blocking) */
extern const command pubsub_commands[];        /* SUBSCRIBE PUBLISH PSUBSCRIBE PUBSUB ... (Part II: pub/sub) */

#endif
