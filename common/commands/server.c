/* Server commands: CONFIG GET (stage 2).
 *
 * Clients ask a server about itself before they use it: redis-benchmark
 * reads `save` and `appendonly` and warns when it cannot. CONFIG GET takes
 * one or more names or glob patterns and answers with name/value pairs.
 * Only parameters this server really has are listed, each with its true
 * value: a client that reads `timeout 0` may rely on it. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "../buf.h"
#include "../glob.h"
#include "../reply.h"
#include "../resp.h"
#include "../server.h"

typedef struct config_param {
    const char *name;
    void (*get)(buf *value);     /* writes the value's text */
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
    buf_append(value, "no", 2);     /* stage 5 brings the append-only file */
}

static void config_get_timeout(buf *value)
{
    buf_append(value, "0", 1);      /* idle clients are never closed */
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
    {"appendonly", config_get_appendonly},
    {"bind", config_get_bind},
    {"client-query-buffer-limit", config_get_query_limit},
    {"port", config_get_port},
    {"proto-max-bulk-len", config_get_bulk_len},
    {"save", config_get_save},
    {"timeout", config_get_timeout},
    {NULL, NULL},
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
    reply_array(c, count);
    buf_append(&c->reply, buf_data(&pairs), buf_length(&pairs));
    buf_free(&pairs);
    buf_free(&value);
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
    reply_error_format(c, "ERR unknown subcommand '%.*s'. Try CONFIG HELP.",
                       (int)(c->argvlen[1] > 128 ? 128 : c->argvlen[1]), c->argv[1]);
}

const command server_commands[] = {
    {"config", cmd_config, -2, COMMAND_READONLY},
    {NULL, NULL, 0, 0},
};
