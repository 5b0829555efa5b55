/* Unit tests of config: the one table of parameters (stage 1), read from
 * the command line, from a config file (stage 6) and by CONFIG SET's
 * config_check() and config_apply(), and shown by config_format() as
 * CONFIG GET shows it.
 *
 * Each parameter belongs to a group that the step of a stage's main()
 * turns on: the base group in every stage, the append-only file's with
 * stage 5, the others (databases, security, limits, logging, threads and
 * the config file) with stage 6. Criterion runs each test in a process of
 * its own, so the groups a test offers, and the values it sets, are that
 * test's only; every test starts from config_init()'s defaults with only
 * the base group offered.
 *
 * Where Redis refuses a value too, the reason is Redis's own text, checked
 * word for word: a client or an operator who knows Redis reads the same. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "io/reactor.h"
#include "persist/aof.h"
#include "server/config.h"
#include "tmpdir.h"

static void setup(void)
{
    config_init();
}

static void teardown(void)
{
    config_free();
    tmpdir_remove();
}

TestSuite(config, .init = setup, .fini = teardown);

/* The config file tests write their files in a directory of their own. */
static void setup_with_dir(void)
{
    config_init();
    cr_assert(tmpdir_make("test_config"), "mkdtemp: %s", strerror(errno));
}

TestSuite(config_file, .init = setup_with_dir, .fini = teardown);

/* ---------------- Helpers ---------------- */

/* What stage 6 offers: every group. */
static void offer_all(void)
{
    for (int g = CONFIG_GROUP_BASE; g <= CONFIG_GROUP_FILE; g++)
        config_offer((enum config_group)g);
}

static const config_param *param(const char *name)
{
    const config_param *p = config_find(name, strlen(name));
    cr_assert_not_null(p, "%s is not offered", name);
    return p;
}

/* A parameter's value as CONFIG GET shows it (a NUL byte in it would end
 * it early: the tests of those read config_format() themselves). */
static const char *value_of(const char *name)
{
    static char text[4096];
    buf b = BUF_INIT;
    config_format(param(name), &b);
    size_t n = buf_length(&b);
    cr_assert_lt(n, sizeof(text), "%s is %zu bytes long", name, n);
    if (n > 0)
        memcpy(text, buf_data(&b), n);
    text[n] = '\0';
    buf_free(&b);
    return text;
}

static const char *check(const char *name, const char *value)
{
    return config_check(param(name), value, strlen(value));
}

static const char *apply(const char *name, const char *value)
{
    return config_apply(param(name), value, strlen(value));
}

static void expect_accepted(const char *name, const char *value)
{
    const char *why = check(name, value);
    cr_expect_null(why, "%s '%s' was refused: %s", name, value, why);
}

/* Refused by config_check() with exactly `reason`. */
static void expect_refused(const char *name, const char *value, const char *reason)
{
    const char *why = check(name, value);
    cr_expect(why != NULL && strcmp(why, reason) == 0, "%s '%s': \"%s\" instead of \"%s\"", name, value,
              why == NULL ? "accepted" : why, reason);
}

/* config_apply(), which must succeed, then the value as shown. */
static const char *applied(const char *name, const char *value)
{
    const char *why = apply(name, value);
    cr_assert_null(why, "%s '%s' was refused: %s", name, value, why);
    return value_of(name);
}

#define EXPECT_HAS(text, part) cr_expect(strstr((text), (part)) != NULL, "'%s' is not in: %s", (part), (text))

/* ---------------- The command line ---------------- */

#define ARGV(...) ((char *[]){"prog", __VA_ARGS__})
#define ARGC(...) ((int)(sizeof(ARGV(__VA_ARGS__)) / sizeof(char *)))

static enum config_args_result parse(int argc, char **argv, char *err)
{
    err[0] = '\0';
    return config_from_args(argc, argv, "prog", err);
}

static void parsed(int argc, char **argv)
{
    char err[CONFIG_ERR_LEN];
    cr_assert_eq(parse(argc, argv, err), CONFIG_ARGS_OK, "refused: %s", err);
}

/* `prog ...`: PARSE gives the result and the error, PARSED must succeed. */
#define PARSE(err, ...) parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (err))
#define PARSED(...) parsed(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

/* The command line must be refused with exactly this error. */
#define EXPECT_ARGS_ERROR(want, ...)                                                           \
    do {                                                                                       \
        char err_[CONFIG_ERR_LEN];                                                             \
        cr_expect_eq(PARSE(err_, __VA_ARGS__), CONFIG_ARGS_ERROR, "accepted: %s", (want));     \
        cr_expect_str_eq(err_, (want));                                                        \
    } while (0)

/* ---------------- Every parameter ---------------- */

/* Every parameter of every group, in the table's order, with its default
 * as CONFIG GET shows it (memory values in bytes). */
static const struct {
    const char *name, *value;
    enum config_group group;
} all_params[] = {
    {"port", "6379", CONFIG_GROUP_BASE},
    {"bind", "127.0.0.1 -::1", CONFIG_GROUP_BASE},
    {"proto-max-bulk-len", "536870912", CONFIG_GROUP_BASE},
    {"client-query-buffer-limit", "1073741824", CONFIG_GROUP_BASE},
    {"save", "", CONFIG_GROUP_BASE},
    {"appendonly", "no", CONFIG_GROUP_BASE},
    {"dir", "", CONFIG_GROUP_AOF},
    {"appendfsync", "everysec", CONFIG_GROUP_AOF},
    {"appendfilename", "appendonly.aof", CONFIG_GROUP_AOF},
    {"databases", "16", CONFIG_GROUP_DATABASES},
    {"requirepass", "", CONFIG_GROUP_SECURITY},
    {"protected-mode", "yes", CONFIG_GROUP_SECURITY},
    {"maxclients", "10000", CONFIG_GROUP_LIMITS},
    {"timeout", "0", CONFIG_GROUP_LIMITS},
    {"loglevel", "notice", CONFIG_GROUP_LOGGING},
    {"logfile", "", CONFIG_GROUP_LOGGING},
    {"threads", "1", CONFIG_GROUP_THREADS},
    {"set-max-intset-entries", "512", CONFIG_GROUP_DATABASES},   /* Part II: sets */
    {"hash-max-listpack-entries", "512", CONFIG_GROUP_DATABASES},    /* Part II: hashes */
    {"hash-max-listpack-value", "64", CONFIG_GROUP_DATABASES},       /* Part II: hashes */
    {"hash-max-ziplist-entries", "512", CONFIG_GROUP_DATABASES},     /* ... and their Redis 6 names */
    {"hash-max-ziplist-value", "64", CONFIG_GROUP_DATABASES},
    {"zset-max-listpack-entries", "128", CONFIG_GROUP_DATABASES},    /* Part II: sorted sets */
    {"zset-max-ziplist-entries", "128", CONFIG_GROUP_DATABASES},     /* ... and its Redis 6 name */
    {"zset-max-listpack-value", "64", CONFIG_GROUP_DATABASES},
    {"zset-max-ziplist-value", "64", CONFIG_GROUP_DATABASES},
    /* Part II, pub/sub and keyspace notifications: values CONFIG GET
     * shows as Redis prints them (sizes in bytes, flags in its order). */
    {"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
     CONFIG_GROUP_LIMITS},
    {"notify-keyspace-events", "", CONFIG_GROUP_LIMITS},
    {"maxmemory", "0", CONFIG_GROUP_MEMORY},                /* Part II: memory limit */
    {"maxmemory-policy", "noeviction", CONFIG_GROUP_MEMORY},
    {"maxmemory-samples", "5", CONFIG_GROUP_MEMORY},
    {"lfu-log-factor", "10", CONFIG_GROUP_MEMORY},
    {"lfu-decay-time", "1", CONFIG_GROUP_MEMORY},
};

#define ALL_PARAMS (sizeof(all_params) / sizeof(all_params[0]))
#define BASE_PARAMS 6

static size_t index_of(const char *name)
{
    for (size_t i = 0; i < ALL_PARAMS; i++) {
        if (strcmp(all_params[i].name, name) == 0)
            return i;
    }
    cr_assert_fail("%s is not in this test's list of parameters: add it", name);
    return 0;
}

/* config_each() callback: the names, in the order they come. */
typedef struct names_seen {
    const char *names[64];
    size_t count;
} names_seen;

static void see_name(const config_param *p, void *data)
{
    names_seen *seen = data;
    cr_assert_lt(seen->count, 64);
    seen->names[seen->count++] = config_name(p);
}

/* The defaults go through the same parser as any value; one that did not
 * parse would be logged ("Bad default") and leave its field empty. */
Test(config, every_default_parses_and_reads_as_redis_shows_it, .init = cr_redirect_stderr)
{
    offer_all();
    config_init();
    names_seen seen = {{NULL}, 0};
    config_each(see_name, &seen);
    cr_expect_eq(seen.count, ALL_PARAMS, "%zu parameters offered, this test knows %zu", seen.count, ALL_PARAMS);
    for (size_t i = 0; i < seen.count; i++) {
        size_t at = index_of(seen.names[i]);
        cr_expect_str_eq(value_of(seen.names[i]), all_params[at].value, "the default of %s", seen.names[i]);
    }
    fflush(stderr);
    char logged[1024];
    size_t n = fread(logged, 1, sizeof(logged) - 1, cr_get_redirected_stderr());
    logged[n] = '\0';
    cr_expect_str_eq(logged, "", "config_init() logged something");
}

Test(config, the_fields_hold_the_defaults)
{
    offer_all();
    cr_expect_eq(config.port, 6379);
    cr_assert_eq(config.bind.count, 2);
    cr_expect_str_eq(config.bind.items[0], "127.0.0.1");
    cr_expect_str_eq(config.bind.items[1], "-::1");
    cr_expect_eq(config.proto_max_bulk_len, 512LL * 1024 * 1024);
    cr_expect_eq(config.client_query_buffer_limit, 1024LL * 1024 * 1024);
    cr_expect_not(config.appendonly);
    cr_expect_eq(config.appendfsync, AOF_FSYNC_EVERYSEC);
    cr_expect_str_eq(config.appendfilename.text, "appendonly.aof");
    cr_expect_eq(config.databases, 16);
    cr_expect_eq(config.requirepass.len, 0);
    cr_expect(config.protected_mode);
    cr_expect_eq(config.maxclients, 10000);
    cr_expect_eq(config.timeout, 0);
    cr_expect_eq(config.threads, 1);
    cr_expect_eq(config.loglevel, LOG_NOTICE);
    cr_expect_eq(config.logfile.len, 0);
    cr_expect_null(config.config_file);
}

/* mem_used() counts the bytes malloc really reserved, which for a string
 * of a given length may vary with the chunk it came from: the counts are
 * compared with nothing held at all, after config_free(). */
Test(config, config_init_puts_back_every_default_and_config_free_leaves_nothing)
{
    offer_all();
    config_free();
    size_t none = mem_used();
    config_init();
    PARSED("--port", "7000", "--bind", "10.0.0.1", "10.0.0.2", "--requirepass", "secret", "--dir", "/tmp",
           "--logfile", "/tmp/log", "--appendfilename", "x.aof", "--databases", "3");
    config_init();
    for (size_t i = 0; i < ALL_PARAMS; i++)
        cr_expect_str_eq(value_of(all_params[i].name), all_params[i].value, "%s", all_params[i].name);
    config_free();
    cr_expect_eq(mem_used(), none, "%zd bytes left after config_free()", (ssize_t)(mem_used() - none));
}

/* The final server logs to the append-only file unless told otherwise,
 * and serves from one thread per core: server.c changes those defaults
 * before it reads the options, which still win. */
Test(config, a_default_a_stage_sets_is_still_overridden_by_an_option)
{
    offer_all();
    config_set_value("appendonly", "yes");
    config_set_value("threads", "4");
    cr_expect(config.appendonly);
    cr_expect_eq(config.threads, 4);
    PARSED("--appendonly", "no", "--threads", "2");
    cr_expect_not(config.appendonly);
    cr_expect_eq(config.threads, 2);
    config_set_value("nosuch", "1");      /* no such row: nothing happens */
    cr_expect_eq(config_count(), ALL_PARAMS);
}

Test(config, a_default_that_does_not_parse_is_logged_and_changes_nothing, .init = cr_redirect_stderr)
{
    config_set_value("port", "0");
    cr_expect_eq(config.port, 6379);
    fflush(stderr);
    char logged[1024];
    size_t n = fread(logged, 1, sizeof(logged) - 1, cr_get_redirected_stderr());
    logged[n] = '\0';
    EXPECT_HAS(logged, "# Bad default '0' for port: argument must be between 1 and 65535 inclusive\n");
}

/* ---------------- Groups: what a stage knows ---------------- */

static bool is_found(const char *name)
{
    return config_find(name, strlen(name)) != NULL;
}

Test(config, before_any_step_offers_a_group_only_the_base_parameters_are_known)
{
    cr_expect(config_offered(CONFIG_GROUP_BASE));
    for (size_t i = 0; i < ALL_PARAMS; i++) {
        bool base = all_params[i].group == CONFIG_GROUP_BASE;
        cr_expect_eq(is_found(all_params[i].name), base, "%s is %s", all_params[i].name, base ? "missing" : "known");
    }
    cr_expect_eq(config_count(), BASE_PARAMS);
}

Test(config, each_group_brings_exactly_its_own_parameters)
{
    for (int g = CONFIG_GROUP_AOF; g <= CONFIG_GROUP_FILE; g++) {
        config_withdraw_all();
        config_offer((enum config_group)g);
        size_t own = 0;
        for (size_t i = 0; i < ALL_PARAMS; i++) {
            bool wanted = all_params[i].group == CONFIG_GROUP_BASE || all_params[i].group == (enum config_group)g;
            own += all_params[i].group == (enum config_group)g;
            cr_expect_eq(is_found(all_params[i].name), wanted, "group %d: %s is %s", g, all_params[i].name,
                         wanted ? "missing" : "known");
        }
        cr_expect_eq(config_count(), BASE_PARAMS + own, "group %d", g);
    }
}

Test(config, the_config_file_group_brings_no_parameter)
{
    config_offer(CONFIG_GROUP_FILE);
    cr_expect(config_offered(CONFIG_GROUP_FILE));
    cr_expect_eq(config_count(), BASE_PARAMS);
}

Test(config, withdraw_all_goes_back_to_the_base_group)
{
    offer_all();
    cr_expect_eq(config_count(), ALL_PARAMS);
    config_withdraw_all();
    cr_expect_eq(config_count(), BASE_PARAMS);
    cr_expect(config_offered(CONFIG_GROUP_BASE));
    for (int g = CONFIG_GROUP_AOF; g <= CONFIG_GROUP_FILE; g++)
        cr_expect_not(config_offered((enum config_group)g), "group %d is still offered", g);
    cr_expect_not(is_found("databases"));
    cr_expect_not(is_found("dir"));
    cr_expect(is_found("port"));
}

Test(config, every_offered_parameter_is_visited_once_in_the_table_s_order)
{
    offer_all();
    names_seen seen = {{NULL}, 0};
    config_each(see_name, &seen);
    cr_assert_eq(seen.count, config_count());
    cr_assert_eq(seen.count, ALL_PARAMS);
    for (size_t i = 0; i < ALL_PARAMS; i++)
        cr_expect_str_eq(seen.names[i], all_params[i].name, "place %zu", i);

    config_withdraw_all();
    config_offer(CONFIG_GROUP_LIMITS);
    names_seen few = {{NULL}, 0};
    config_each(see_name, &few);
    cr_assert_eq(few.count, BASE_PARAMS + 4);
    cr_expect_str_eq(few.names[BASE_PARAMS], "maxclients");
    cr_expect_str_eq(few.names[BASE_PARAMS + 1], "timeout");
    cr_expect_str_eq(few.names[BASE_PARAMS + 2], "client-output-buffer-limit");     /* Part II */
    cr_expect_str_eq(few.names[BASE_PARAMS + 3], "notify-keyspace-events");
}

Test(config, a_name_is_found_whatever_its_case_and_only_with_its_exact_length)
{
    cr_expect_not_null(config_find("PORT", 4));
    cr_expect_not_null(config_find("Proto-Max-Bulk-Len", 18));
    cr_expect_eq(config_find("portable", 4), config_find("port", 4), "only len bytes are read");
    cr_expect_null(config_find("por", 3));
    cr_expect_null(config_find("port ", 5));
    cr_expect_null(config_find("port\0", 5));
    cr_expect_null(config_find("", 0));
    cr_expect_str_eq(config_name(config_find("BIND", 4)), "bind", "the table's spelling");
}

Test(config, an_option_of_a_group_not_offered_is_an_unknown_option)
{
    EXPECT_ARGS_ERROR("unknown option '--databases' (try --help)", "--databases", "4");
    config_offer(CONFIG_GROUP_DATABASES);
    PARSED("--databases", "4");
    cr_expect_eq(config.databases, 4);
}

/* Each option is refused until the step of main() that brings it offers
 * its group, and taken after. */
Test(config, every_option_beyond_the_base_is_unknown_until_its_group_is_offered)
{
    const struct {
        const char *option, *value;
    } options[] = {
        {"--dir", "/tmp"}, {"--appendfsync", "always"}, {"--appendfilename", "x.aof"},
        {"--databases", "4"}, {"--requirepass", "pw"}, {"--protected-mode", "no"},
        {"--maxclients", "50"}, {"--timeout", "10"}, {"--loglevel", "warning"},
        {"--logfile", "/tmp/x.log"}, {"--threads", "2"},
    };
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
        enum config_group group = all_params[index_of(options[i].option + 2)].group;
        char want[128];
        snprintf(want, sizeof(want), "unknown option '%s' (try --help)", options[i].option);
        for (int g = CONFIG_GROUP_BASE; g <= CONFIG_GROUP_FILE; g++) {
            config_withdraw_all();
            config_offer((enum config_group)g);
            char err[CONFIG_ERR_LEN];
            enum config_args_result got = PARSE(err, (char *)options[i].option, (char *)options[i].value);
            if (g == (int)group) {
                cr_expect_eq(got, CONFIG_ARGS_OK, "%s with its group offered: %s", options[i].option, err);
            } else {
                cr_expect_eq(got, CONFIG_ARGS_ERROR, "%s was taken with only group %d", options[i].option, g);
                cr_expect_str_eq(err, want);
            }
        }
    }
}

/* redis-benchmark reads appendonly from stage 2 on, so it is known from
 * the start; "yes" needs the append-only file of stage 5. */
Test(config, appendonly_is_known_from_the_start_but_only_as_no_before_stage_5)
{
    expect_accepted("appendonly", "no");
    expect_refused("appendonly", "yes", "this stage has no append-only file (stage 5 brings it)");
    EXPECT_ARGS_ERROR("invalid value 'yes' for --appendonly: this stage has no append-only file (stage 5 brings it)",
                      "--appendonly", "yes");
    config_offer(CONFIG_GROUP_AOF);
    expect_accepted("appendonly", "yes");
    PARSED("--appendonly", "yes");
    cr_expect(config.appendonly);
}

/* ---------------- --help ---------------- */

static const char *help_text(const char *flag)
{
    char err[CONFIG_ERR_LEN];
    cr_expect_eq(PARSE(err, (char *)flag), CONFIG_ARGS_EXIT, "%s did not ask to exit", flag);
    fflush(stdout);
    static char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, cr_get_redirected_stdout());
    text[n] = '\0';
    return text;
}

Test(config, help_lists_only_the_options_offered, .init = cr_redirect_stdout)
{
    config_offer(CONFIG_GROUP_AOF);
    const char *text = help_text("--help");
    EXPECT_HAS(text, "Usage: prog [options]\n");
    const char *listed[] = {"--port", "--bind", "--proto-max-bulk-len", "--client-query-buffer-limit", "--save",
                            "--appendonly", "--dir", "--appendfsync", "--appendfilename", "--help"};
    for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
        EXPECT_HAS(text, listed[i]);
    const char *unlisted[] = {"--databases", "--requirepass", "--maxclients", "--logfile", "--threads", "redis.conf"};
    for (size_t i = 0; i < sizeof(unlisted) / sizeof(unlisted[0]); i++)
        cr_expect_null(strstr(text, unlisted[i]), "%s is in the help:\n%s", unlisted[i], text);
}

Test(config, help_with_every_group_lists_every_option_and_the_config_file, .init = cr_redirect_stdout)
{
    offer_all();
    const char *text = help_text("-h");
    EXPECT_HAS(text, "Usage: prog [/path/to/redis.conf] [options]\n");
    for (size_t i = 0; i < ALL_PARAMS; i++) {
        char option[64];
        snprintf(option, sizeof(option), "--%s ", all_params[i].name);
        EXPECT_HAS(text, option);
    }
}

/* ---------------- Yes/no ---------------- */

Test(config, yes_no_parameters_take_yes_or_no_in_any_case)
{
    config_offer(CONFIG_GROUP_SECURITY);
    cr_expect_str_eq(applied("protected-mode", "no"), "no");
    cr_expect_not(config.protected_mode);
    cr_expect_str_eq(applied("protected-mode", "YES"), "yes");
    cr_expect(config.protected_mode);
    cr_expect_str_eq(applied("protected-mode", "No"), "no");
    const char *bad[] = {"maybe", "1", "0", "true", "on", "", "yes ", " no", "ye", "nope"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused("protected-mode", bad[i], "argument must be 'yes' or 'no'");
}

/* ---------------- Integers ---------------- */

Test(config, an_integer_must_be_written_as_redis_writes_one)
{
    const char *bad[] = {"abc", "", "80x", " 80", "80 ", "+80", "0x50", "1e3", "8.0", "007", "-", "--1",
                         "99999999999999999999", "1k"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused("port", bad[i], "argument couldn't be parsed into an integer");
}

Test(config, an_integer_outside_its_range_is_refused_with_the_range)
{
    offer_all();
    const struct {
        const char *name, *value, *reason;
    } cases[] = {
        {"port", "0", "argument must be between 1 and 65535 inclusive"},
        {"port", "65536", "argument must be between 1 and 65535 inclusive"},
        {"port", "-1", "argument must be between 1 and 65535 inclusive"},
        {"maxclients", "0", "argument must be between 1 and 4294967295 inclusive"},
        {"maxclients", "4294967296", "argument must be between 1 and 4294967295 inclusive"},
        {"timeout", "-1", "argument must be between 0 and 2147483647 inclusive"},
        {"timeout", "2147483648", "argument must be between 0 and 2147483647 inclusive"},
        {"databases", "0", "argument must be between 1 and 1000000 inclusive"},
        {"databases", "1000001", "argument must be between 1 and 1000000 inclusive"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_refused(cases[i].name, cases[i].value, cases[i].reason);
    char threads[128];
    snprintf(threads, sizeof(threads), "argument must be between 1 and %d inclusive", REACTOR_MAX);
    char past[32];
    snprintf(past, sizeof(past), "%d", REACTOR_MAX + 1);
    expect_refused("threads", "0", threads);
    expect_refused("threads", past, threads);
}

Test(config, an_integer_at_either_end_of_its_range_is_accepted)
{
    offer_all();
    cr_expect_str_eq(applied("port", "1"), "1");
    cr_expect_str_eq(applied("port", "65535"), "65535");
    cr_expect_eq(config.port, 65535);
    cr_expect_str_eq(applied("timeout", "0"), "0");
    cr_expect_str_eq(applied("timeout", "2147483647"), "2147483647");
    cr_expect_str_eq(applied("databases", "1"), "1");
    cr_expect_str_eq(applied("databases", "1000000"), "1000000");
    cr_expect_str_eq(applied("threads", "1"), "1");
    char most[32];
    snprintf(most, sizeof(most), "%d", REACTOR_MAX);
    cr_expect_str_eq(applied("threads", most), most);
    cr_expect_str_eq(applied("maxclients", "1"), "1");
    /* Applying this many would lower it to the open-files limit. */
    expect_accepted("maxclients", "4294967295");
}

Test(config, databases_maxclients_and_timeout_take_numbers_on_the_command_line)
{
    offer_all();
    PARSED("--databases", "4", "--maxclients", "1", "--timeout", "300");
    cr_expect_eq(config.databases, 4);
    cr_expect_eq(config.maxclients, 1);
    cr_expect_eq(config.timeout, 300);
    PARSED("--timeout", "0", "--maxclients", "50000", "--databases", "100");
    cr_expect_eq(config.timeout, 0, "timeout 0 means never");
    cr_expect_eq(config.maxclients, 50000);
    cr_expect_eq(config.databases, 100);
}

Test(config, threads_takes_a_count_of_reactors)
{
    config_offer(CONFIG_GROUP_THREADS);
    PARSED("--threads", "4");
    cr_expect_eq(config.threads, 4);
    EXPECT_ARGS_ERROR("invalid value 'many' for --threads: argument couldn't be parsed into an integer", "--threads",
                      "many");
}

/* ---------------- Memory values ---------------- */

/* Redis's memtoull(): k, m, g are powers of 1000, kb, mb, gb powers of
 * 1024, b is bytes, in any case. proto-max-bulk-len starts at 1mb. */
Test(config, memory_values_take_redis_units_where_1k_is_1000_and_1kb_is_1024)
{
    const struct {
        const char *text;
        long long bytes;
    } cases[] = {
        {"1048576", 1048576},        {"1048576b", 1048576},        {"2000k", 2000000},
        {"2000kb", 2048000},         {"5m", 5000000},              {"5mb", 5242880},
        {"3g", 3000000000LL},        {"3gb", 3221225472LL},        {"4096KB", 4194304},
        {"2000K", 2000000},          {"2Mb", 2097152},             {"2mB", 2097152},
        {"1GB", 1073741824},         {"1048576B", 1048576},        {"7M", 7000000},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *why = apply("proto-max-bulk-len", cases[i].text);
        cr_expect_null(why, "'%s' was refused: %s", cases[i].text, why);
        cr_expect_eq(config.proto_max_bulk_len, cases[i].bytes, "'%s' is %lld bytes, not %lld", cases[i].text,
                     config.proto_max_bulk_len, cases[i].bytes);
        char shown[32];
        snprintf(shown, sizeof(shown), "%lld", cases[i].bytes);
        cr_expect_str_eq(value_of("proto-max-bulk-len"), shown, "CONFIG GET shows bytes");
    }
    cr_expect_str_eq(applied("client-query-buffer-limit", "2gb"), "2147483648");
}

Test(config, a_memory_value_that_is_not_a_number_and_a_unit_is_refused)
{
    const char *bad[] = {"abc", "", "b", "kb", "mb", "1.5mb", "1xb", "1mbx", "1 mb", " 1mb", "-1mb",
                         "1tb", "1kk", "1bb", "0x10mb", "mb1", "1e6"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        expect_refused("proto-max-bulk-len", bad[i], "argument must be a memory value");
        expect_refused("client-query-buffer-limit", bad[i], "argument must be a memory value");
    }
}

Test(config, a_memory_value_below_the_minimum_is_refused_with_the_range)
{
    const char *range = "argument must be between 1048576 and 9223372036854775807 inclusive";
    expect_refused("proto-max-bulk-len", "1048575", range);
    expect_refused("proto-max-bulk-len", "1k", range);
    expect_refused("proto-max-bulk-len", "1000kb", range);
    expect_refused("client-query-buffer-limit", "1m", range);
    expect_accepted("client-query-buffer-limit", "1mb");
}

Test(config, a_memory_value_that_does_not_fit_in_64_bits_is_refused)
{
    cr_expect_str_eq(applied("proto-max-bulk-len", "9223372036854775807"), "9223372036854775807");
    cr_expect_str_eq(applied("proto-max-bulk-len", "8589934591gb"), "9223372035781033984");
    cr_expect_str_eq(applied("proto-max-bulk-len", "9007199254740991kb"), "9223372036854774784");
    expect_refused("proto-max-bulk-len", "9223372036854775808", "argument must be a memory value");
    expect_refused("proto-max-bulk-len", "8589934592gb", "argument must be a memory value");
    expect_refused("proto-max-bulk-len", "9007199254740992kb", "argument must be a memory value");
    expect_refused("proto-max-bulk-len", "9223372036854775807k", "argument must be a memory value");
}

/* ---------------- Words from a list ---------------- */

Test(config, appendfsync_takes_one_of_its_three_words_in_any_case)
{
    config_offer(CONFIG_GROUP_AOF);
    cr_expect_str_eq(applied("appendfsync", "always"), "always");
    cr_expect_eq(config.appendfsync, AOF_FSYNC_ALWAYS);
    cr_expect_eq(aof_fsync_policy(), AOF_FSYNC_ALWAYS, "CONFIG SET appendfsync did not reach the AOF");
    cr_expect_str_eq(applied("appendfsync", "No"), "no", "shown in the table's spelling");
    cr_expect_eq(config.appendfsync, AOF_FSYNC_NO);
    cr_expect_str_eq(applied("appendfsync", "EVERYSEC"), "everysec");
    cr_expect_eq(config.appendfsync, AOF_FSYNC_EVERYSEC);
}

/* The length counts, not a NUL: "everysec" cut to 5 bytes is "every". */
Test(config, a_word_is_read_to_its_length_only)
{
    config_offer(CONFIG_GROUP_AOF);
    const config_param *p = config_find("appendfsync", 11);
    cr_assert_not_null(p);
    cr_expect_not_null(config_check(p, "everysec", 5), "\"every\" was accepted");
    cr_expect_null(config_apply(p, "noXYZ", 2), "\"no\" was refused");
    cr_expect_eq(config.appendfsync, AOF_FSYNC_NO);
}

Test(config, a_word_not_in_the_list_is_refused_with_the_list_in_redis_s_order)
{
    offer_all();
    const char *fsync[] = {"sometimes", "", "n", "every", "everysecond", "alway", "always ", " no", "yes", "0"};
    for (size_t i = 0; i < sizeof(fsync) / sizeof(fsync[0]); i++)
        expect_refused("appendfsync", fsync[i], "argument(s) must be one of the following: everysec, always, no");
    const char *level[] = {"loud", "nothing", "3", "", "warn"};
    for (size_t i = 0; i < sizeof(level) / sizeof(level[0]); i++)
        expect_refused("loglevel", level[i],
                       "argument(s) must be one of the following: debug, verbose, notice, warning");
}

Test(config, loglevel_takes_the_four_redis_levels)
{
    config_offer(CONFIG_GROUP_LOGGING);
    const struct {
        const char *word;
        enum log_level level;
    } cases[] = {
        {"debug", LOG_DEBUG}, {"verbose", LOG_VERBOSE}, {"notice", LOG_NOTICE},
        {"warning", LOG_WARNING}, {"WARNING", LOG_WARNING}, {"Notice", LOG_NOTICE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        PARSED("--loglevel", (char *)cases[i].word);
        cr_expect_eq(config.loglevel, (int)cases[i].level, "--loglevel %s", cases[i].word);
    }
}

/* ---------------- Strings ---------------- */

/* CONFIG SET requirepass takes any bytes, NULs included, as Redis does. */
Test(config, a_string_given_to_config_apply_keeps_its_nul_bytes)
{
    config_offer(CONFIG_GROUP_SECURITY);
    const char *why = config_apply(param("requirepass"), "pa\0ss", 5);
    cr_assert_null(why, "%s", why);
    cr_assert_eq(config.requirepass.len, 5);
    cr_expect_arr_eq(config.requirepass.text, "pa\0ss", 6, "the bytes, then a NUL");
    buf shown = BUF_INIT;
    config_format(param("requirepass"), &shown);
    cr_expect(buf_length(&shown) == 5 && memcmp(buf_data(&shown), "pa\0ss", 5) == 0, "CONFIG GET shows %zu bytes",
              buf_length(&shown));
    buf_free(&shown);
}

Test(config, an_empty_string_is_an_empty_value)
{
    config_offer(CONFIG_GROUP_SECURITY);
    applied("requirepass", "secret");
    cr_expect_str_eq(applied("requirepass", ""), "");
    cr_expect_eq(config.requirepass.len, 0);
    cr_assert_not_null(config.requirepass.text, "readers may print it");
    cr_expect_str_eq(config.requirepass.text, "");
}

Test(config, requirepass_sets_a_password_and_the_last_one_given_wins)
{
    config_offer(CONFIG_GROUP_SECURITY);
    PARSED("--requirepass", "s3cret");
    cr_expect_str_eq(config.requirepass.text, "s3cret");
    cr_expect_eq(config.requirepass.len, 6);
    PARSED("--requirepass", "first", "--requirepass", "second");
    cr_expect_str_eq(config.requirepass.text, "second");
    PARSED("--requirepass", "first", "--requirepass", "");
    cr_expect_eq(config.requirepass.len, 0, "--requirepass \"\" is no password");
    PARSED("--requirepass", "with space");
    cr_expect_str_eq(config.requirepass.text, "with space");
}

Test(config, save_takes_only_the_empty_string)
{
    expect_accepted("save", "");
    expect_refused("save", "900 1", "this server takes no snapshots: only '' is accepted");
    expect_refused("save", " ", "this server takes no snapshots: only '' is accepted");
    PARSED("--save", "");
    EXPECT_ARGS_ERROR("invalid value '3600 1' for --save: this server takes no snapshots: only '' is accepted",
                      "--save", "3600 1");
}

Test(config, appendfilename_must_be_a_file_name_not_a_path)
{
    config_offer(CONFIG_GROUP_AOF);
    const char *bad[] = {"", "sub/x.aof", "/tmp/x.aof", "./x.aof", "x.aof/"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused("appendfilename", bad[i], "appendfilename can't be a path, just a filename");
    cr_expect_not_null(config_check(param("appendfilename"), "a\0/b", 4), "a '/' after a NUL byte is a path too");
    cr_expect_str_eq(applied("appendfilename", "mine.aof"), "mine.aof");
    cr_expect_str_eq(applied("appendfilename", "with space.aof"), "with space.aof");
}

/* The log file is opened by the server when it starts (server_init_log()),
 * not here: any text is a value, a path that cannot be opened included. */
Test(config, dir_and_logfile_take_any_text)
{
    offer_all();
    PARSED("--dir", "/no/such/dir", "--logfile", "/no/such/dir/log");
    cr_expect_str_eq(config.dir.text, "/no/such/dir");
    cr_expect_str_eq(config.logfile.text, "/no/such/dir/log");
    PARSED("--dir", "with space", "--logfile", "");
    cr_expect_str_eq(value_of("dir"), "with space");
    cr_expect_eq(config.logfile.len, 0, "\"\" is stderr");
}

/* ---------------- Lists: bind ---------------- */

Test(config, bind_takes_several_words)
{
    PARSED("--port", "7000", "--bind", "127.0.0.1", "::1", "-10.0.0.1");
    cr_expect_eq(config.port, 7000);
    cr_assert_eq(config.bind.count, 3);
    cr_expect_str_eq(config.bind.items[0], "127.0.0.1");
    cr_expect_str_eq(config.bind.items[1], "::1");
    cr_expect_str_eq(config.bind.items[2], "-10.0.0.1");
    cr_expect_str_eq(value_of("bind"), "127.0.0.1 ::1 -10.0.0.1");
}

/* As CONFIG GET shows it: one word, the addresses apart by spaces. */
Test(config, bind_given_as_one_word_is_split_at_its_spaces)
{
    PARSED("--bind", "127.0.0.1 ::1");
    cr_assert_eq(config.bind.count, 2);
    cr_expect_str_eq(config.bind.items[1], "::1");
    cr_expect_str_eq(applied("bind", "  10.0.0.1   10.0.0.2 "), "10.0.0.1 10.0.0.2");
    cr_assert_eq(config.bind.count, 2);
    cr_expect_str_eq(config.bind.items[0], "10.0.0.1");
    PARSED("--bind", "1.1.1.1 2.2.2.2", "3.3.3.3");
    cr_expect_str_eq(value_of("bind"), "1.1.1.1 2.2.2.2 3.3.3.3");
}

Test(config, a_new_bind_list_replaces_the_old_one)
{
    PARSED("--bind", "10.0.0.1", "10.0.0.2", "--bind", "10.0.0.3");
    cr_assert_eq(config.bind.count, 1);
    cr_expect_str_eq(config.bind.items[0], "10.0.0.3");
}

#define ADDRESS_LEN 32

/* `prog --bind` and `count` addresses as words, and the same addresses
 * in one line, apart by spaces, NUL-terminated. */
static void bind_args(int count, char words[][ADDRESS_LEN], char *argv[], buf *line)
{
    argv[0] = "prog";
    argv[1] = "--bind";
    for (int i = 0; i < count; i++) {
        snprintf(words[i], ADDRESS_LEN, "127.0.0.%d", i + 1);
        argv[2 + i] = words[i];
        if (i > 0)
            buf_append(line, " ", 1);
        buf_append(line, words[i], strlen(words[i]));
    }
    buf_append(line, "", 1);
}

Test(config, bind_takes_up_to_16_addresses)
{
    char words[CONFIG_MAX_BIND][ADDRESS_LEN];
    char *argv[2 + CONFIG_MAX_BIND];
    buf line = BUF_INIT;
    bind_args(CONFIG_MAX_BIND, words, argv, &line);
    parsed(2 + CONFIG_MAX_BIND, argv);
    cr_expect_eq(config.bind.count, CONFIG_MAX_BIND);
    cr_expect_str_eq(config.bind.items[CONFIG_MAX_BIND - 1], "127.0.0.16");
    cr_expect_str_eq(applied("bind", buf_data(&line)), buf_data(&line), "16 in one word");
    buf_free(&line);
}

Test(config, a_17th_bind_address_is_refused_and_the_list_kept)
{
    char words[CONFIG_MAX_BIND + 1][ADDRESS_LEN];
    char *argv[2 + CONFIG_MAX_BIND + 1];
    buf line = BUF_INIT;
    bind_args(CONFIG_MAX_BIND + 1, words, argv, &line);
    char err[CONFIG_ERR_LEN];
    cr_expect_eq(parse(2 + CONFIG_MAX_BIND + 1, argv, err), CONFIG_ARGS_ERROR);
    cr_expect_str_eq(err, "wrong number of values for '--bind': Too many bind addresses specified. (try --help)");
    size_t before = mem_used();
    expect_refused("bind", buf_data(&line), "Too many bind addresses specified.");
    cr_expect_str_eq(apply("bind", buf_data(&line)), "Too many bind addresses specified.");
    cr_expect_str_eq(value_of("bind"), "127.0.0.1 -::1");
    cr_expect_eq(mem_used(), before, "the 16 addresses parsed before the 17th leaked");
    buf_free(&line);
}

/* ---------------- The command line ---------------- */

Test(config, no_options_leave_every_default)
{
    offer_all();
    char *argv[] = {"prog"};
    parsed(1, argv);
    for (size_t i = 0; i < ALL_PARAMS; i++)
        cr_expect_str_eq(value_of(all_params[i].name), all_params[i].value, "%s", all_params[i].name);
}

Test(config, an_unknown_option_is_refused_naming_it)
{
    EXPECT_ARGS_ERROR("unknown option '--nosuch' (try --help)", "--nosuch", "1");
    EXPECT_ARGS_ERROR("unknown option '--PORTS' (try --help)", "--PORTS", "1");
}

Test(config, a_word_that_is_no_option_is_refused_naming_it)
{
    EXPECT_ARGS_ERROR("unexpected argument '7000' (try --help)", "7000");
    EXPECT_ARGS_ERROR("unexpected argument '-port' (try --help)", "-port", "7000");
    EXPECT_ARGS_ERROR("unexpected argument '--' (try --help)", "--");
}

Test(config, an_option_takes_exactly_one_value)
{
    config_offer(CONFIG_GROUP_SECURITY);
    EXPECT_ARGS_ERROR("wrong number of values for '--port': wrong number of arguments (try --help)", "--port");
    EXPECT_ARGS_ERROR("wrong number of values for '--port': wrong number of arguments (try --help)", "--port", "1",
                      "2");
    EXPECT_ARGS_ERROR("wrong number of values for '--requirepass': wrong number of arguments (try --help)",
                      "--requirepass");
    EXPECT_ARGS_ERROR("wrong number of values for '--requirepass': wrong number of arguments (try --help)",
                      "--requirepass", "--port", "7000");
}

Test(config, a_bad_value_is_refused_naming_the_option_the_value_and_the_reason)
{
    EXPECT_ARGS_ERROR("invalid value 'abc' for --port: argument couldn't be parsed into an integer", "--port", "abc");
    EXPECT_ARGS_ERROR("invalid value '70000' for --port: argument must be between 1 and 65535 inclusive", "--port",
                      "70000");
    EXPECT_ARGS_ERROR("invalid value 'huge' for --proto-max-bulk-len: argument must be a memory value",
                      "--proto-max-bulk-len", "huge");
    const char *bad[] = {"0", "65536", "-1", "", "80x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[CONFIG_ERR_LEN];
        cr_expect_eq(PARSE(err, "--port", (char *)bad[i]), CONFIG_ARGS_ERROR, "--port '%s' was accepted", bad[i]);
        EXPECT_HAS(err, "--port");
        cr_expect_eq(config.port, 6379, "--port '%s' changed the port", bad[i]);
    }
}

/* Only "--" followed by a name starts an option: one dash starts a value. */
Test(config, a_value_may_start_with_a_dash)
{
    offer_all();
    PARSED("--requirepass", "-secret", "--bind", "-::1", "-10.0.0.1");
    cr_expect_str_eq(config.requirepass.text, "-secret");
    cr_expect_str_eq(value_of("bind"), "-::1 -10.0.0.1");
    PARSED("--requirepass", "--");
    cr_expect_str_eq(config.requirepass.text, "--");
    EXPECT_ARGS_ERROR("invalid value '-1' for --timeout: argument must be between 0 and 2147483647 inclusive",
                      "--timeout", "-1");
}

/* The server exits on the error, so what came before it may stay set;
 * what comes after is not read. */
Test(config, reading_stops_at_the_first_bad_option)
{
    offer_all();
    char err[CONFIG_ERR_LEN];
    cr_expect_eq(PARSE(err, "--port", "7000", "--databases", "0", "--timeout", "5"), CONFIG_ARGS_ERROR);
    cr_expect_str_eq(err, "invalid value '0' for --databases: argument must be between 1 and 1000000 inclusive");
    cr_expect_eq(config.databases, 16);
    cr_expect_eq(config.timeout, 0, "an option after the bad one was read");
}

/* ---------------- CONFIG SET: check, then apply ---------------- */

/* Per parameter: a good value (not its default) and a bad one with its
 * reason, or NULL where every text is a value. */
static const struct {
    const char *name, *good, *bad, *reason;
} values[] = {
    {"port", "7000", "0", "argument must be between 1 and 65535 inclusive"},
    {"bind", "1.2.3.4 ::1", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "Too many bind addresses specified."},
    {"proto-max-bulk-len", "2mb", "1k", "argument must be between 1048576 and 9223372036854775807 inclusive"},
    {"client-query-buffer-limit", "2gb", "lots", "argument must be a memory value"},
    {"save", "", "900 1", "this server takes no snapshots: only '' is accepted"},
    {"dir", "/tmp", NULL, NULL},
    {"appendonly", "yes", "maybe", "argument must be 'yes' or 'no'"},
    {"appendfsync", "always", "often", "argument(s) must be one of the following: everysec, always, no"},
    {"appendfilename", "x.aof", "a/b", "appendfilename can't be a path, just a filename"},
    {"databases", "4", "0", "argument must be between 1 and 1000000 inclusive"},
    {"requirepass", "pw", NULL, NULL},
    {"protected-mode", "no", "1", "argument must be 'yes' or 'no'"},
    {"maxclients", "5", "0", "argument must be between 1 and 4294967295 inclusive"},
    {"timeout", "5", "-1", "argument must be between 0 and 2147483647 inclusive"},
    {"loglevel", "debug", "loud", "argument(s) must be one of the following: debug, verbose, notice, warning"},
    {"logfile", "/tmp/x.log", NULL, NULL},
    {"threads", "2", "0", NULL},                /* the reason depends on REACTOR_MAX */
    {"set-max-intset-entries", "16", "-1", "argument must be between 0 and 9223372036854775807 inclusive"},
    {"hash-max-listpack-entries", "128", "-1", "argument must be between 0 and 9223372036854775807 inclusive"},
    {"hash-max-listpack-value", "1kb", "64 bytes", "argument must be a memory value"},
    {"hash-max-ziplist-entries", "0", "1kb", "argument couldn't be parsed into an integer"},
    {"hash-max-ziplist-value", "2mb", "lots", "argument must be a memory value"},
    {"zset-max-listpack-entries", "16", "-1", "argument must be between 0 and 9223372036854775807 inclusive"},
    {"zset-max-ziplist-entries", "0", "1kb", "argument couldn't be parsed into an integer"},
    {"zset-max-listpack-value", "1kb", "64 bytes", "argument must be a memory value"},
    {"zset-max-ziplist-value", "2mb", "lots", "argument must be a memory value"},
    {"client-output-buffer-limit", "pubsub 1mb 0 0", "pubsub 1 2",
     "Wrong number of arguments in buffer limit configuration."},
    {"notify-keyspace-events", "KEA", "KEQ", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
    {"maxmemory", "64mb", "lots", "argument must be a memory value"},
    {"maxmemory-policy", "allkeys-lru", "lru",
     "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, "
     "allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
    {"maxmemory-samples", "10", "0", "argument must be between 1 and 2147483647 inclusive"},
    {"lfu-log-factor", "20", "-1", "argument must be between 0 and 2147483647 inclusive"},
    {"lfu-decay-time", "5", "-1", "argument must be between 0 and 2147483647 inclusive"},
};

static size_t values_index(const char *name)
{
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        if (strcmp(values[i].name, name) == 0)
            return i;
    }
    cr_assert_fail("%s has no good and bad value in this test: add them", name);
    return 0;
}

/* config_check() of a good value and of a bad one leaves every value as
 * it was: CONFIG SET checks every pair before it applies any. */
static void check_changes_nothing(const config_param *p, void *data)
{
    (void)data;
    const char *name = config_name(p);
    size_t at = values_index(name);
    char before[256];
    snprintf(before, sizeof(before), "%s", value_of(name));
    size_t mem = mem_used();
    const char *why = check(name, values[at].good);
    cr_expect_null(why, "%s '%s' was refused: %s", name, values[at].good, why);
    if (values[at].bad != NULL)
        cr_expect_not_null(check(name, values[at].bad), "%s '%s' was accepted", name, values[at].bad);
    cr_expect_str_eq(value_of(name), before, "config_check() changed %s", name);
    cr_expect_eq(mem_used(), mem, "config_check() of %s leaked", name);
}

Test(config, checking_a_value_changes_nothing)
{
    offer_all();
    config_each(check_changes_nothing, NULL);
}

/* config_apply() of a bad value gives config_check()'s reason and leaves
 * the value as it was. */
static void bad_apply_changes_nothing(const config_param *p, void *data)
{
    (void)data;
    const char *name = config_name(p);
    size_t at = values_index(name);
    if (values[at].bad == NULL)
        return;
    char before[256], reason[256];
    snprintf(before, sizeof(before), "%s", value_of(name));
    const char *checked = check(name, values[at].bad);
    cr_assert_not_null(checked, "%s '%s' was accepted", name, values[at].bad);
    snprintf(reason, sizeof(reason), "%s", checked);
    if (values[at].reason != NULL)
        cr_expect_str_eq(reason, values[at].reason, "%s '%s'", name, values[at].bad);
    size_t mem = mem_used();
    const char *applied_why = apply(name, values[at].bad);
    cr_expect(applied_why != NULL && strcmp(applied_why, reason) == 0,
              "%s '%s': config_apply() says \"%s\", config_check() \"%s\"", name, values[at].bad,
              applied_why == NULL ? "fine" : applied_why, reason);
    cr_expect_str_eq(value_of(name), before, "a refused value changed %s", name);
    cr_expect_eq(mem_used(), mem, "a refused value of %s leaked", name);
}

Test(config, applying_a_bad_value_changes_nothing_and_gives_the_check_s_reason)
{
    offer_all();
    config_each(bad_apply_changes_nothing, NULL);
}

/* Never more clients than the open-files limit allows: CONFIG SET
 * maxclients lowers the value it stores to what admission settled on. */
Test(config, maxclients_set_beyond_the_open_files_limit_is_lowered_to_what_fits, .init = cr_redirect_stderr)
{
    config_offer(CONFIG_GROUP_LIMITS);
    struct rlimit low = {256, 256};
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0, "setrlimit: %s", strerror(errno));
    cr_expect_str_eq(applied("maxclients", "100"), "100");
    cr_expect_str_eq(applied("maxclients", "10000"), "224", "256 files, less the 32 kept for listeners and files");
    cr_expect_eq(config.maxclients, 224);
}

/* ---------------- Round trip: what CONFIG GET shows, CONFIG SET takes ---------------- */

/* config_format(), config_apply() of that text, config_format() again:
 * the same bytes. */
static void round_trip(const config_param *p, void *data)
{
    (void)data;
    buf first = BUF_INIT, second = BUF_INIT;
    config_format(p, &first);
    const char *why = config_apply(p, buf_data(&first) ? buf_data(&first) : "", buf_length(&first));
    cr_expect_null(why, "%s: its own text '%.*s' was refused: %s", config_name(p), (int)buf_length(&first),
                   buf_data(&first) ? buf_data(&first) : "", why);
    config_format(p, &second);
    cr_expect(buf_length(&first) == buf_length(&second) &&
                  (buf_length(&first) == 0 || memcmp(buf_data(&first), buf_data(&second), buf_length(&first)) == 0),
              "%s: '%.*s' came back as '%.*s'", config_name(p), (int)buf_length(&first),
              buf_data(&first) ? buf_data(&first) : "", (int)buf_length(&second),
              buf_data(&second) ? buf_data(&second) : "");
    buf_free(&first);
    buf_free(&second);
}

Test(config, every_default_shown_by_config_get_is_taken_back_by_config_set)
{
    offer_all();
    config_each(round_trip, NULL);
}

/* appendonly stays no: yes would start a rewrite (a fork) when applied. */
Test(config, every_other_value_shown_by_config_get_is_taken_back_by_config_set)
{
    offer_all();
    PARSED("--port", "7001", "--bind", "10.0.0.1", "-::1", "192.168.0.1", "--proto-max-bulk-len", "2mb",
           "--client-query-buffer-limit", "3g", "--dir", "/tmp/with space", "--appendfsync", "always",
           "--appendfilename", "mine.aof", "--databases", "4", "--protected-mode", "no", "--maxclients", "50",
           "--timeout", "30", "--loglevel", "warning", "--logfile", "/tmp/x.log", "--threads", "3");
    cr_assert_null(config_apply(param("requirepass"), "a \"b\"\0c", 8));
    config_each(round_trip, NULL);
    cr_expect_eq(config.requirepass.len, 8);
    cr_expect_str_eq(value_of("dir"), "/tmp/with space");
}

/* ---------------- The config file (stage 6) ---------------- */

/* A file of `len` bytes in the test's directory; the path is static. */
static const char *write_file_len(const char *name, const char *text, size_t len)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", tmpdir_file(name));
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

static const char *write_file(const char *name, const char *text)
{
    return write_file_len(name, text, strlen(text));
}

/* `prog <file>` with every group offered, as stage 6 reads it. */
static enum config_args_result parse_file(const char *path, char *err)
{
    offer_all();
    char *argv[] = {"prog", (char *)path};
    return parse(2, argv, err);
}

static void parsed_file(const char *path)
{
    char err[CONFIG_ERR_LEN];
    cr_assert_eq(parse_file(path, err), CONFIG_ARGS_OK, "refused: %s", err);
}

Test(config_file, reads_a_config_file_given_first)
{
    const char *path = write_file("redis.conf",
                                  "port 7001\n"
                                  "bind 127.0.0.1 ::1\n"
                                  "databases 4\n"
                                  "requirepass secret\n"
                                  "maxclients 100\n"
                                  "timeout 30\n"
                                  "protected-mode no\n"
                                  "appendonly no\n"
                                  "appendfsync always\n"
                                  "appendfilename \"mine.aof\"\n"
                                  "dir /tmp\n"
                                  "proto-max-bulk-len 64mb\n"
                                  "loglevel warning\n"
                                  "threads 2\n"
                                  "save \"\"\n");
    parsed_file(path);
    cr_expect_eq(config.port, 7001);
    cr_expect_str_eq(value_of("bind"), "127.0.0.1 ::1");
    cr_expect_eq(config.databases, 4);
    cr_expect_str_eq(config.requirepass.text, "secret");
    cr_expect_eq(config.maxclients, 100);
    cr_expect_eq(config.timeout, 30);
    cr_expect_not(config.protected_mode);
    cr_expect_not(config.appendonly);
    cr_expect_eq(config.appendfsync, AOF_FSYNC_ALWAYS);
    cr_expect_str_eq(config.appendfilename.text, "mine.aof");
    cr_expect_str_eq(config.dir.text, "/tmp");
    cr_expect_eq(config.proto_max_bulk_len, 64LL * 1024 * 1024);
    cr_expect_eq(config.loglevel, LOG_WARNING);
    cr_expect_eq(config.threads, 2);
    cr_assert_not_null(config.config_file);
    cr_expect_str_eq(config.config_file, path);
}

Test(config_file, applies_directives_in_order)
{
    const char *path = write_file("order.conf",
                                  "port 7001\n"
                                  "requirepass first\n"
                                  "port 7002\n"
                                  "bind 10.0.0.1 10.0.0.2 10.0.0.3\n"
                                  "bind 127.0.0.1\n"
                                  "requirepass \"\"\n");
    parsed_file(path);
    cr_expect_eq(config.port, 7002);
    cr_expect_str_eq(value_of("bind"), "127.0.0.1");
    cr_expect_eq(config.requirepass.len, 0, "requirepass \"\" in the file means no password");
}

Test(config_file, skips_comments_and_blank_lines_and_reads_crlf_and_indented_lines)
{
    const char *path = write_file("comments.conf",
                                  "# a comment\n"
                                  "\n"
                                  "   \n"
                                  "\t\n"
                                  "    # an indented comment: port 1\n"
                                  "#port 2\n"
                                  "port 7003\r\n"
                                  "\r\n"
                                  "  \tdatabases   8  \n"
                                  "\tTIMEOUT 5\n"
                                  "Protected-Mode no\n"
                                  "maxclients 77");        /* no final newline */
    parsed_file(path);
    cr_expect_eq(config.port, 7003);
    cr_expect_eq(config.databases, 8);
    cr_expect_eq(config.timeout, 5, "directive names are case-insensitive");
    cr_expect_not(config.protected_mode);
    cr_expect_eq(config.maxclients, 77, "the last line had no newline");
}

Test(config_file, an_empty_file_or_one_of_comments_changes_nothing)
{
    const char *texts[] = {"", "\n\n", "# only\n# comments\n"};
    for (size_t i = 0; i < 3; i++) {
        const char *path = write_file("empty.conf", texts[i]);
        parsed_file(path);
        cr_expect_eq(config.port, 6379);
        cr_expect_eq(config.databases, 16);
        cr_expect_not_null(config.config_file);
    }
}

/* Quotes as redis-server reads them (sdssplitargs): double quotes with
 * escapes and \xHH, single quotes with \' only. */
Test(config_file, values_may_be_quoted)
{
    const char *path = write_file("quotes.conf",
                                  "requirepass \"a b \\\"c\\\"\"\n"
                                  "dir 'with space'\n"
                                  "appendfilename \"x\\x41.aof\"\n"
                                  "logfile 'it\\'s.log'\n"
                                  "bind \"10.0.0.1 10.0.0.2\" '10.0.0.3'\n"
                                  "\"port\" '7004'\n");
    parsed_file(path);
    cr_expect_str_eq(config.requirepass.text, "a b \"c\"");
    cr_expect_str_eq(config.dir.text, "with space");
    cr_expect_str_eq(config.appendfilename.text, "xA.aof");
    cr_expect_str_eq(config.logfile.text, "it's.log");
    cr_expect_str_eq(value_of("bind"), "10.0.0.1 10.0.0.2 10.0.0.3", "a quoted list is split too");
    cr_expect_eq(config.port, 7004);
}

Test(config_file, options_on_the_command_line_override_the_file)
{
    offer_all();
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s",
             write_file("base.conf", "port 7001\nrequirepass secret\ndatabases 4\ntimeout 9\n"));
    PARSED(path, "--port", "7005", "--requirepass", "", "--timeout", "0");
    cr_expect_eq(config.port, 7005);
    cr_expect_eq(config.requirepass.len, 0, "--requirepass \"\" after the file clears its password");
    cr_expect_eq(config.databases, 4, "what the command line does not name stays as the file says");
    cr_expect_eq(config.timeout, 0);
    cr_expect_str_eq(config.config_file, path);
}

/* Word for word what redis-server prints, but for the program's name. */
Test(config_file, a_bad_directive_is_a_fatal_config_file_error_naming_its_line)
{
    const char *path = write_file("bad.conf",
                                  "# settings\n"
                                  "port 7001\n"
                                  "\n"
                                  "nosuchdirective 1\n"
                                  "port 7002\n");
    char err[CONFIG_ERR_LEN];
    cr_expect_eq(parse_file(path, err), CONFIG_ARGS_ERROR);
    cr_expect_str_eq(err, "\n*** FATAL CONFIG FILE ERROR (workshop prog) ***\n"
                          "Reading the configuration file, at line 4\n"
                          ">>> 'nosuchdirective 1'\n"
                          "Bad directive or wrong number of arguments");
    cr_expect_null(config.config_file, "a file that failed is not the config file");
    cr_expect_eq(config.port, 7001, "the lines before the bad one were read");
}

Test(config_file, bad_lines_of_every_kind_are_errors)
{
    char threads[128];
    snprintf(threads, sizeof(threads), "argument must be between 1 and %d inclusive", REACTOR_MAX);
    const struct {
        const char *line, *why;
    } cases[] = {
        {"port", "wrong number of arguments"},
        {"port 1 2", "wrong number of arguments"},
        {"port 99999", "argument must be between 1 and 65535 inclusive"},
        {"port 1k", "argument couldn't be parsed into an integer"},
        {"databases 0", "argument must be between 1 and 1000000 inclusive"},
        {"threads 0", threads},
        {"proto-max-bulk-len lots", "argument must be a memory value"},
        {"protected-mode maybe", "argument must be 'yes' or 'no'"},
        {"loglevel loud", "argument(s) must be one of the following: debug, verbose, notice, warning"},
        {"appendfsync often", "argument(s) must be one of the following: everysec, always, no"},
        {"appendfilename a/b", "appendfilename can't be a path, just a filename"},
        {"save \"900 1\"", "this server takes no snapshots: only '' is accepted"},
        {"requirepass \"unbalanced", "Unbalanced quotes in configuration line"},
        {"requirepass 'unbalanced", "Unbalanced quotes in configuration line"},
        {"requirepass \"a\"b", "Unbalanced quotes in configuration line"},
        {"--port 7000", "Bad directive or wrong number of arguments"},
        {"port 7000 # a comment", "wrong number of arguments"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "port 7001\n%s\n", cases[i].line);
        const char *path = write_file("bad.conf", text);
        char err[CONFIG_ERR_LEN];
        cr_expect_eq(parse_file(path, err), CONFIG_ARGS_ERROR, "'%s' was accepted", cases[i].line);
        char want[512];
        snprintf(want, sizeof(want), "at line 2\n>>> '%s'\n%s", cases[i].line, cases[i].why);
        size_t wlen = strlen(want), elen = strlen(err);
        cr_expect(elen >= wlen && strcmp(err + elen - wlen, want) == 0, "'%s': the error ends otherwise: %s",
                  cases[i].line, err);
    }
}

Test(config_file, a_directive_of_a_group_not_offered_is_a_bad_directive)
{
    const char *path = write_file("later.conf", "requirepass secret\n");
    config_offer(CONFIG_GROUP_FILE);
    char *argv[] = {"prog", (char *)path};
    char err[CONFIG_ERR_LEN];
    cr_expect_eq(parse(2, argv, err), CONFIG_ARGS_ERROR);
    EXPECT_HAS(err, ">>> 'requirepass secret'\nBad directive or wrong number of arguments");
}

Test(config_file, a_missing_config_file_is_an_error_naming_it)
{
    offer_all();
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", tmpdir_file("missing.conf"));
    char err[CONFIG_ERR_LEN];
    cr_expect_eq(PARSE(err, path, "--port", "7000"), CONFIG_ARGS_ERROR);
    char want[PATH_MAX + 100];
    snprintf(want, sizeof(want), "Fatal error, can't open config file '%s': No such file or directory", path);
    cr_expect_str_eq(err, want);
    cr_expect_eq(config.port, 6379, "the options after a missing file were read");
}

Test(config_file, without_the_file_group_a_file_name_is_an_unexpected_argument)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", write_file("redis.conf", "port 7001\n"));
    for (int g = CONFIG_GROUP_BASE; g < CONFIG_GROUP_FILE; g++)
        config_offer((enum config_group)g);
    char err[CONFIG_ERR_LEN];
    cr_expect_eq(PARSE(err, path), CONFIG_ARGS_ERROR, "a config file was read without CONFIG_GROUP_FILE");
    char want[PATH_MAX + 100];
    snprintf(want, sizeof(want), "unexpected argument '%s' (try --help)", path);
    cr_expect_str_eq(err, want);
    cr_expect_eq(config.port, 6379);
    cr_expect_null(config.config_file);
}

Test(config_file, only_the_first_argument_can_be_the_file)
{
    offer_all();
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", write_file("redis.conf", "port 7001\n"));
    char err[CONFIG_ERR_LEN];
    /* "--port 7000 file" gives --port two values. */
    cr_expect_eq(PARSE(err, "--port", "7000", path), CONFIG_ARGS_ERROR);
    EXPECT_HAS(err, "wrong number of values for '--port'");
    cr_expect_eq(PARSE(err, path, path), CONFIG_ARGS_ERROR);
    char want[PATH_MAX + 100];
    snprintf(want, sizeof(want), "unexpected argument '%s' (try --help)", path);
    cr_expect_str_eq(err, want);
}

Test(config_file, the_file_and_options_leak_nothing)
{
    offer_all();
    config_free();
    size_t none = mem_used();
    config_init();
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s",
             write_file("leak.conf", "requirepass a\nrequirepass b\ndir /x\ndir /y\nbind 1.2.3.4 5.6.7.8\n"
                                     "appendfilename a.aof\nappendfilename b.aof\nlogfile /l\n"));
    PARSED(path, "--requirepass", "c", "--dir", "/z", "--bind", "::1");
    config_free();
    cr_expect_eq(mem_used(), none, "%zd bytes leaked", (ssize_t)(mem_used() - none));

    config_init();
    snprintf(path, sizeof(path), "%s", write_file("bad.conf", "requirepass a\ndir /x\nnosuch\n"));
    char err[CONFIG_ERR_LEN];
    cr_expect_eq(PARSE(err, path), CONFIG_ARGS_ERROR);
    config_free();
    cr_expect_eq(mem_used(), none, "%zd bytes leaked after an error", (ssize_t)(mem_used() - none));
}

Test(config_file, reads_16_bind_addresses_and_refuses_a_17th)
{
    char line[1024] = "bind";
    for (int i = 1; i <= CONFIG_MAX_BIND; i++)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), " 127.0.0.%d", i);
    char text[1100];
    snprintf(text, sizeof(text), "%s\n", line);
    parsed_file(write_file("bind.conf", text));
    cr_expect_eq(config.bind.count, CONFIG_MAX_BIND);
    cr_expect_str_eq(config.bind.items[CONFIG_MAX_BIND - 1], "127.0.0.16");

    snprintf(text, sizeof(text), "%s 127.0.0.17\n", line);
    char err[CONFIG_ERR_LEN];
    cr_expect_eq(parse_file(write_file("bind.conf", text), err), CONFIG_ARGS_ERROR, "17 bind addresses were taken");
    EXPECT_HAS(err, "\nToo many bind addresses specified.");
}

/* Redis reads the whole file and splits it into lines: a line is not
 * limited in length, not even by the 64 KB of an inline request. */
Test(config_file, a_long_line_is_read_whole)
{
    size_t lens[] = {5000, 100000};
    for (size_t k = 0; k < 2; k++) {
        size_t plen = lens[k];
        char *text = mem_alloc(plen + 64);
        size_t n = (size_t)sprintf(text, "requirepass ");
        memset(text + n, 'p', plen);
        n += plen;
        n += (size_t)sprintf(text + n, "\nport 7006\n");
        const char *path = write_file_len("long.conf", text, n);
        mem_free(text);
        char err[CONFIG_ERR_LEN];
        cr_expect_eq(parse_file(path, err), CONFIG_ARGS_OK, "a %zu-byte line was refused: %s", plen + 12, err);
        cr_expect_eq(config.requirepass.len, plen, "the password was cut to %zu bytes", config.requirepass.len);
        cr_expect_eq(config.port, 7006);
    }
}

Test(config_file, the_workshop_s_redis_conf_loads_with_every_group_offered)
{
    char path[PATH_MAX];
    const char *file = __FILE__;    /* tests/unit/test_config.c, relative to where make ran */
    const char *cut = strstr(file, "tests/unit/test_config.c");
    cr_assert_not_null(cut);
    snprintf(path, sizeof(path), "%.*sredis.conf", (int)(cut - file), file);
    if (access(path, R_OK) != 0)
        cr_skip_test("%s is not reachable from here", path);
    parsed_file(path);
    cr_expect_eq(config.port, 6379);
    cr_expect_eq(config.databases, 16);
    cr_expect_eq(config.requirepass.len, 0);
    cr_expect(config.appendonly);
    char *full = realpath(path, NULL);
    cr_assert_not_null(full);
    cr_expect_str_eq(config.config_file, full, "INFO shows the file as a full path");
    free(full);
}

/* ---------------- Lines the request parser would misread ---------------- */

/* A line is split into words, never parsed as a request: one starting
 * with '*' is not a RESP array header. redis-server says "Bad directive or
 * wrong number of arguments" for each of these. */
Test(config_file, a_line_starting_with_a_star_is_a_bad_directive)
{
    const char *lines[] = {"*0", "*1", "*abc"};
    for (size_t i = 0; i < 3; i++) {
        char text[64];
        snprintf(text, sizeof(text), "%s\n", lines[i]);
        char err[CONFIG_ERR_LEN];
        cr_expect_eq(parse_file(write_file("star.conf", text), err), CONFIG_ARGS_ERROR, "'%s' was taken", lines[i]);
        EXPECT_HAS(err, "Bad directive or wrong number of arguments");
    }
}

/* Each word keeps its length: a quoted "\x00" does not end the value,
 * as redis-server keeps every byte (its values are sds). */
Test(config_file, a_nul_byte_written_in_quotes_is_kept)
{
    parsed_file(write_file("nul.conf", "requirepass \"a\\x00b\"\n"));
    cr_expect_eq(config.requirepass.len, 3, "the password is %zu bytes long", config.requirepass.len);
}

/* An empty list of addresses would leave nothing to listen on: refused,
 * as the parameter's other wrong counts are. */
Test(config, a_bind_with_no_address_is_refused)
{
    char *argv[] = {"stage-test", "--bind"};
    char err[CONFIG_ERR_LEN];
    cr_expect_eq(config_from_args(2, argv, "stage-test", err), CONFIG_ARGS_ERROR);
    const config_param *bind = config_find("bind", 4);
    cr_assert_not_null(bind);
    cr_expect_str_eq(config_check(bind, "", 0), "wrong number of arguments");
    cr_expect_str_eq(config_check(bind, "  ", 2), "wrong number of arguments");
}

/* ---------------- mem_strndup, which copies the file's words ---------------- */

Test(config, mem_strndup_copies_len_bytes_and_ends_them)
{
    size_t before = mem_used();
    char *s = mem_strndup("hello world", 5);
    cr_expect_str_eq(s, "hello");
    mem_free(s);
    s = mem_strndup("", 0);
    cr_expect_str_eq(s, "");
    mem_free(s);
    s = mem_strndup("xyz", 0);
    cr_expect_str_eq(s, "", "zero bytes of a longer string");
    mem_free(s);
    s = mem_strndup("a\0b", 3);             /* len bytes, NULs included */
    cr_expect_arr_eq(s, "a\0b\0", 4);
    mem_free(s);
    char src[3] = {'x', 'y', 'z'};          /* not NUL-terminated */
    s = mem_strndup(src, 3);
    cr_expect_str_eq(s, "xyz");
    cr_expect_neq(s, src);
    mem_free(s);
    cr_expect_eq(mem_used(), before, "%zd bytes left", (ssize_t)(mem_used() - before));
}
