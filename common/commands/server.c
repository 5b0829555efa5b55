/* Server commands: CONFIG GET (stage 2), CONFIG SET (stage 5), CONFIG
 * RESETSTAT and the parameters of stage 6.
 *
 * Clients ask a server about itself before they use it: redis-benchmark
 * reads `save` and `appendonly` and warns when it cannot. CONFIG GET takes
 * one or more names or glob patterns and answers with name/value pairs.
 * Only parameters this server really has are listed, each with its true
 * value: a client that reads `timeout 0` may rely on it. CONFIG SET
 * changes the few that can change while the server runs: the append-only
 * file's switch and its fsync policy (stage 5), and timeout, maxclients,
 * requirepass and protected-mode (stage 6). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "../buf.h"
#include "../glob.h"
#include "../mem.h"
#include "../num.h"
#include "../reply.h"
#include "../resp.h"
#include "../server.h"

typedef struct config_param {
    const char *name;
    void (*get)(buf *value);     /* writes the value's text */
    /* Checks value; applies it only if `apply`. NULL: immutable. Returns
     * NULL or the reason for refusing it. */
    const char *(*set)(const char *value, size_t len, bool apply);
    bool protected_config;       /* Redis refuses to set these by default */
} config_param;

static void config_get_port(buf *value)
{
    char text[16];
    int n = snprintf(text, sizeof(text), "%d", server.config.port);
    buf_append(value, text, (size_t)n);
}

static void config_get_bind(buf *value)
{
    for (int i = 0; i < server.config.bind_count; i++) {
        if (i > 0)
            buf_append(value, " ", 1);
        buf_append(value, server.config.bind[i], strlen(server.config.bind[i]));
    }
}

static void config_get_save(buf *value)
{
    (void)value;                    /* no snapshots: "" as with --save '' */
}

static void config_get_appendonly(buf *value)
{
    const char *text = aof_is_enabled() ? "yes" : "no";
    buf_append(value, text, strlen(text));
}

static void config_get_appendfsync(buf *value)
{
    const char *text = aof_fsync_name(server.aof_started ? aof_fsync_policy() : server.config.aof.fsync);
    buf_append(value, text, strlen(text));
}

static void config_get_appendfilename(buf *value)
{
    const char *text = server.config.aof.filename;
    if (text != NULL)       /* NULL only in a server that was never configured (the fuzzer's) */
        buf_append(value, text, strlen(text));
}

static void config_get_dir(buf *value)
{
    char path[4096];
    if (getcwd(path, sizeof(path)) != NULL)
        buf_append(value, path, strlen(path));
}

static const char *config_set_appendonly(const char *value, size_t len, bool apply)
{
    bool yes = len == 3 && strncasecmp(value, "yes", 3) == 0;
    if (!yes && !(len == 2 && strncasecmp(value, "no", 2) == 0))
        return "argument must be 'yes' or 'no'";
    if (!server.aof_started)
        return "this stage has no append-only file (stage 5 brings it)";
    static char err[AOF_ERR_LEN];
    if (apply && !aof_set_enabled(yes, err))
        return err;
    return NULL;
}

static const char *config_set_appendfsync(const char *value, size_t len, bool apply)
{
    enum aof_fsync fsync;
    if (!aof_fsync_parse(value, len, &fsync))
        return "argument(s) must be one of the following: everysec, always, no";
    if (!server.aof_started)
        return "this stage has no append-only file (stage 5 brings it)";
    if (apply)
        aof_set_fsync(fsync);
    return NULL;
}

static void config_get_number(buf *value, long long n)
{
    char text[NUM_LL_MAX];
    buf_append(value, text, num_format_ll(text, n));
}

static void config_get_timeout(buf *value)
{
    config_get_number(value, server.config.timeout);
}

static void config_get_databases(buf *value)
{
    config_get_number(value, server.db_count);
}

static void config_get_threads(buf *value)
{
    config_get_number(value, server.config.threads);
}

static void config_get_maxclients(buf *value)
{
    config_get_number(value, (long long)server.max_clients);
}

static void config_get_requirepass(buf *value)
{
    const char *pass = server.config.requirepass;
    if (pass != NULL)
        buf_append(value, pass, server.config.requirepass_len);
}

static void config_get_protected_mode(buf *value)
{
    const char *text = server.config.protected_mode ? "yes" : "no";
    buf_append(value, text, strlen(text));
}

/* A number for CONFIG SET, or the reason it is not one (Redis's texts). */
static const char *config_parse_number(const char *value, size_t len, long long min, long long max,
                                       const char *range, long long *out)
{
    if (!num_parse_ll(value, len, out))
        return "argument couldn't be parsed into an integer";
    if (*out < min || *out > max)
        return range;
    return NULL;
}

static const char *config_set_timeout(const char *value, size_t len, bool apply)
{
    long long n;
    const char *why = config_parse_number(value, len, 0, 2147483647,
                                          "argument must be between 0 and 2147483647 inclusive", &n);
    if (why == NULL && apply)
        server.config.timeout = n;
    return why;
}

static const char *config_set_maxclients(const char *value, size_t len, bool apply)
{
    long long n;
    const char *why = config_parse_number(value, len, 1, 4294967295LL,
                                          "argument must be between 1 and 4294967295 inclusive", &n);
    if (why == NULL && apply)
        server.max_clients = server_fit_max_clients((size_t)n);   /* never past the fd limit */
    return why;
}

static const char *config_set_requirepass(const char *value, size_t len, bool apply)
{
    if (apply) {
        mem_free(server.config.requirepass);
        server.config.requirepass = len > 0 ? mem_strndup(value, len) : NULL;
        server.config.requirepass_len = len;
        /* No password any more: everyone waiting to AUTH is let in, as in
         * Redis. (A new password does not log out those already in.) */
        for (client *o = client_all(); o != NULL && len == 0; o = o->next)
            o->auth_required = false;
    }
    return NULL;
}

static const char *config_set_protected_mode(const char *value, size_t len, bool apply)
{
    bool yes = len == 3 && strncasecmp(value, "yes", 3) == 0;
    if (!yes && !(len == 2 && strncasecmp(value, "no", 2) == 0))
        return "argument must be 'yes' or 'no'";
    if (apply)
        server.config.protected_mode = yes;
    return NULL;
}

static void config_get_bulk_len(buf *value)
{
    buf_append(value, "536870912", 9);
}

static void config_get_query_limit(buf *value)
{
    buf_append(value, "1073741824", 10);
}

static const config_param config_params[] = {
    {"appendfilename", config_get_appendfilename, NULL, false},
    {"appendfsync", config_get_appendfsync, config_set_appendfsync, false},
    {"appendonly", config_get_appendonly, config_set_appendonly, false},
    {"bind", config_get_bind, NULL, false},
    {"client-query-buffer-limit", config_get_query_limit, NULL, false},
    {"databases", config_get_databases, NULL, false},
    {"dir", config_get_dir, NULL, true},
    {"maxclients", config_get_maxclients, config_set_maxclients, false},
    {"port", config_get_port, NULL, false},
    {"protected-mode", config_get_protected_mode, config_set_protected_mode, false},
    {"proto-max-bulk-len", config_get_bulk_len, NULL, false},
    {"requirepass", config_get_requirepass, config_set_requirepass, false},
    {"save", config_get_save, NULL, false},
    {"threads", config_get_threads, NULL, false},
    {"timeout", config_get_timeout, config_set_timeout, false},
    {NULL, NULL, NULL, false},
};

static bool config_is_pattern(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return true;
    }
    return false;
}

static bool config_name_is(const char *name, const char *s, size_t len)
{
    return strlen(name) == len && strncasecmp(name, s, len) == 0;
}

/* CONFIG GET parameter [parameter ...]
 * Like Redis, a name given exactly is answered under the spelling the
 * client used ("SAVE"), a parameter matched by a pattern under its own
 * name, and each parameter at most once. */
static void config_get(client *c)
{
    bool seen[sizeof(config_params) / sizeof(config_params[0])] = {false};
    buf pairs = BUF_INIT, value = BUF_INIT;
    long long count = 0;
    for (int i = 2; i < c->argc; i++) {
        bool pattern = config_is_pattern(c->argv[i], c->argvlen[i]);
        for (size_t p = 0; config_params[p].name != NULL; p++) {
            const char *name = config_params[p].name;
            if (seen[p])
                continue;
            if (pattern ? !glob_match(c->argv[i], c->argvlen[i], name, strlen(name), true)
                        : !config_name_is(name, c->argv[i], c->argvlen[i]))
                continue;
            seen[p] = true;
            if (pattern)
                resp_add_bulk(&pairs, name, strlen(name));
            else
                resp_add_bulk(&pairs, c->argv[i], c->argvlen[i]);
            buf_clear(&value);
            config_params[p].get(&value);
            resp_add_bulk(&pairs, buf_data(&value), buf_length(&value));
            count += 2;
        }
    }
    reply_map(c, count / 2);
    buf_append(&c->reply, buf_data(&pairs), buf_length(&pairs));
    buf_free(&pairs);
    buf_free(&value);
}

static const config_param *config_find(const char *name, size_t len)
{
    for (const config_param *p = config_params; p->name != NULL; p++) {
        if (config_name_is(p->name, name, len))
            return p;
    }
    return NULL;
}

/* Why parameter i of CONFIG SET cannot be set, or NULL if it can. */
static const char *config_set_refusal(client *c, int i, const config_param *p, bool apply)
{
    if (p->protected_config)
        return "can't set protected config";
    if (p->set == NULL)
        return "can't set immutable config";
    for (int j = 2; j < i; j += 2) {
        if (c->argvlen[j] == c->argvlen[i] && strncasecmp(c->argv[j], c->argv[i], c->argvlen[i]) == 0)
            return "duplicate parameter";
    }
    return p->set(c->argv[i + 1], c->argvlen[i + 1], apply);
}

/* CONFIG SET parameter value [parameter value ...]
 * All or nothing, as in Redis: every pair is checked before any is applied. */
static void config_set(client *c)
{
    for (int apply = 0; apply <= 1; apply++) {
        for (int i = 2; i < c->argc; i += 2) {
            const config_param *p = config_find(c->argv[i], c->argvlen[i]);
            if (p == NULL) {
                reply_error_format(c, "ERR Unknown option or number of arguments for CONFIG SET - '%.*s'",
                                   (int)c->argvlen[i], c->argv[i]);
                return;
            }
            const char *refusal = config_set_refusal(c, i, p, apply);
            if (refusal != NULL) {
                reply_error_format(c, "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
                                   p->name, refusal);
                return;
            }
        }
    }
    reply_ok(c);
}

/* CONFIG subcommand ... */
static void cmd_config(client *c)
{
    if (command_arg_is(c, 1, "get")) {
        if (c->argc < 3)
            reply_error_arity(c, "config|get");
        else
            config_get(c);
        return;
    }
    if (command_arg_is(c, 1, "resetstat")) {
        if (c->argc != 2) {
            reply_error_arity(c, "config|resetstat");
            return;
        }
        command_reset_stats();
        db_reset_stats();
        client_reset_stats();
        reply_ok(c);
        return;
    }
    if (command_arg_is(c, 1, "set")) {
        if (c->argc < 4 || c->argc % 2 != 0)
            reply_error_arity(c, "config|set");
        else
            config_set(c);
        return;
    }
    reply_error_format(c, "ERR unknown subcommand '%.*s'. Try CONFIG HELP.",
                       (int)(c->argvlen[1] > 128 ? 128 : c->argvlen[1]), c->argv[1]);
}

static const command config_subcommands[] = {
    {"config|get", NULL, -3, COMMAND_READONLY, 0, 0, 0, "server", "Returns the effective values of configuration parameters.", NULL},
    {"config|set", NULL, -4, 0, 0, 0, 0, "server", "Sets configuration parameters in-flight.", NULL},
    {"config|resetstat", NULL, 2, 0, 0, 0, 0, "server", "Resets the server's statistics.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};

const command server_commands[] = {
    {"config", cmd_config, -2, COMMAND_READONLY, 0, 0, 0, "server",
     "A container for server configuration commands.", config_subcommands},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
