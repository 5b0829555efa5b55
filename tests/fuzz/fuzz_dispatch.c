/* Fuzz target: the command dispatcher fed raw bytes, with the commands of
 * stages 1-6 and of the Part II extensions (all but BGREWRITEAOF, whose
 * fork per call would slow the fuzzer to a crawl; the integration suite
 * runs it), maxmemory's eviction included.
 *
 * A client without a socket: bytes go through the parser into
 * command_execute() with those commands registered and a real keyspace
 * behind it, exactly as client.c runs them. Replies accumulate in the
 * reply buffer and are checked to be well-formed enough to start with a
 * RESP type byte. The keyspace persists across inputs, as a long-lived
 * server's does, and is flushed when it grows large.
 *
 * The server around the dispatcher is stage 6's as CONFIG and SELECT see
 * it: every group of parameters offered, config.databases keyspaces, and
 * the append-only file started with appendonly no and wired to the
 * dispatcher as server_replay_aof() wires it. So CONFIG SET appendonly yes
 * does what it does in a server (a rewrite in a child, then every write
 * logged), in a directory of the target's own, in memory: each input runs
 * inside it, and libFuzzer, whose corpus paths are relative, gets its
 * working directory back after. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../unit/tmpdir.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/num.h"
#include "commands/commands.h"
#include "data/db.h"
#include "data/dict.h"
#include "io/resp.h"
#include "persist/aof.h"
#include "server/command.h"
#include "server/config.h"
#include "server/evict.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/replay.h"
#include "server/server.h"

#define FUZZ_MAX_KEYS 10000
#define FUZZ_MAX_AOF (64 * 1024 * 1024)     /* bytes of AOF before it is started afresh */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool fuzz_ready;

/* At exit: a rewrite still running is stopped, the file closed, the
 * directory removed. */
static void fuzz_cleanup(void)
{
    if (!tmpdir_enter())
        abort();
    aof_stop();
    tmpdir_remove();
}

static void fuzz_make_dir(void)
{
    if (!tmpdir_make_in_memory("fuzz_dispatch")) {
        fprintf(stderr, "fuzz_dispatch: mkdtemp: %s\n", strerror(errno));
        abort();
    }
    atexit(fuzz_cleanup);
}

static void fuzz_make_dbs(void)
{
    server.name = "fuzz_dispatch";
    server.db_count = (int)config.databases;
    server.dbs = mem_alloc(sizeof(db *) * (size_t)server.db_count);
    for (int i = 0; i < server.db_count; i++) {
        server.dbs[i] = db_create();
        server.dbs[i]->id = i;
    }
}

static void fuzz_register_commands(void)
{
    command_register(connection_commands);
    command_register(string_commands);
    command_register(key_commands);
    command_register(config_commands);
    command_register(ttl_commands);
    command_register(info_commands);
    command_register(list_commands);
    command_register(session_commands);
    command_register(introspection_commands);
    command_register(transaction_commands);
    command_register(hash_commands);
    command_register(set_commands);
    command_register(key_more_commands);
    command_register(list_more_commands);
    command_register(string_more_commands);
    command_register(bit_commands);
    command_register(zset_commands);
    command_register(list_blocking_commands);
    command_register(pubsub_commands);
}

/* aof_start() with appendonly no, then the hooks, as server_replay_aof(). */
static void fuzz_start_aof(void)
{
    aof_config aof = {config.appendonly, (enum aof_fsync)config.appendfsync, config.appendfilename.text};
    char err[AOF_ERR_LEN];
    replay r;
    replay_init(&r);
    if (!tmpdir_enter())
        abort();
    bool ok = aof_start(server.dbs, server.db_count, &aof, replay_command, &r, err);
    if (!tmpdir_leave())
        abort();
    replay_free(&r);
    if (!ok) {
        fprintf(stderr, "fuzz_dispatch: aof_start: %s\n", err);
        abort();
    }
    command_set_propagate(aof_feed);
    command_set_write_guard(aof_write_refusal);
    /* As server_run() does: CONFIG SET maxmemory evicts (Part II). */
    evict_init(server.dbs, server.db_count);
}

static void fuzz_setup(void)
{
    uint8_t seed[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    dict_seed(seed);
    log_set_level((enum log_level)(LOG_WARNING + 1));      /* a rewrite's start and end would flood stderr */
    config_init();
    for (int g = CONFIG_GROUP_BASE; g <= CONFIG_GROUP_FILE; g++)
        config_offer((enum config_group)g);
    fuzz_make_dir();
    fuzz_make_dbs();
    fuzz_register_commands();
    fuzz_start_aof();
    fuzz_ready = true;
}

/* Between inputs, what a server's cron and event loop do: reap a
 * rewrite's child, write what the commands logged; and keep the keyspace
 * and the file from growing without end. */
static void fuzz_housekeeping(void)
{
    aof_cron();
    aof_flush();
    struct stat st;
    if (aof_is_enabled() && stat(config.appendfilename.text, &st) == 0 && st.st_size > FUZZ_MAX_AOF) {
        char err[AOF_ERR_LEN];
        aof_set_enabled(false, err);
        unlink(config.appendfilename.text);
    }
    long long keys = 0;
    for (int i = 0; i < server.db_count; i++)
        keys += (long long)db_size(server.dbs[i]);
    if (keys > FUZZ_MAX_KEYS) {
        for (int i = 0; i < server.db_count; i++)
            db_flush(server.dbs[i]);
    }
}

/* HRANDFIELD and SRANDMEMBER with a negative count answer that many
 * elements, repeats allowed, as Redis does: a count of -10^12 is a reply
 * of 10^12 elements, which exhausts memory by design, not by a bug. Such
 * counts are left out; every other argument goes through. */
static bool fuzz_is_huge_random_count(const client *c)
{
    long long count;
    bool random = command_arg_is(c, 0, "hrandfield") || command_arg_is(c, 0, "srandmember");
    return random && c->argc >= 3 && num_parse_ll(c->argv[2], c->argvlen[2], &count) &&
           count < -100000;
}

static void fuzz_run(const uint8_t *data, size_t size)
{
    client c = {0};
    c.db = server.dbs[0];
    c.resp = 2;                                     /* until HELLO 3 */
    resp_parser_init(&c.parser);
    buf_append(&c.query, data, size);
    for (;;) {
        resp_status s = resp_parse(&c.parser, buf_data(&c.query), buf_length(&c.query));
        if (s != RESP_DONE)
            break;
        if (c.parser.argc > 0) {
            c.argc = c.parser.argc;
            c.argv = c.parser.argv;
            c.argvlen = c.parser.argvlen;
            if (fuzz_is_huge_random_count(&c)) {
                buf_consume(&c.query, c.parser.consumed);
                continue;
            }
            size_t before = buf_length(&c.reply);
            command_execute(&c);
            if (buf_length(&c.reply) == before)
                abort();                            /* every command replies */
            char type = buf_data(&c.reply)[before];
            if (type != '+' && type != '-' && type != ':' && type != '$' && type != '*' && type != '%' &&
                type != '_' && type != '=' && type != '~' && type != ',' && type != '>')
                abort();                            /* % _ = ~ , >: RESP3, after HELLO 3 */
        }
        buf_consume(&c.query, c.parser.consumed);
    }
    multi_discard(&c);          /* its queue and watched keys die with it */
    pubsub_forget(&c);          /* and its subscriptions (Part II) */
    resp_parser_free(&c.parser);
    buf_free(&c.query);
    buf_free(&c.reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_ready)
        fuzz_setup();
    if (!tmpdir_enter())
        abort();
    fuzz_run(data, size);
    fuzz_housekeeping();
    if (!tmpdir_leave())
        abort();
    return 0;
}
