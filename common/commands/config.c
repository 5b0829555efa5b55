/* Config commands: CONFIG GET, SET and RESETSTAT (stage 2; what SET can
 * change arrives with stages 5 and 6). Their private functions are
 * configcmd_, apart from the table's own config_ (server/config.c).
 *
 * Clients ask a server about itself before they use it: redis-benchmark
 * reads `save` and `appendonly` and warns when it cannot. CONFIG GET takes
 * one or more names or glob patterns and answers with name/value pairs;
 * CONFIG SET changes the parameters that may change while the server
 * runs. Both read the one table of parameters (server/config.c), which
 * holds only what this stage offers, each with its true value: a client
 * that reads `timeout 0` may rely on it. */
#include <string.h>
#include <strings.h>

#include "commands/commands.h"
#include "base/buf.h"
#include "base/glob.h"
#include "base/mem.h"
#include "data/db.h"
#include "io/resp.h"
#include "server/admission.h"
#include "server/config.h"
#include "server/evict.h"
#include "server/reply.h"

static bool configcmd_is_pattern(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return true;
    }
    return false;
}

/* CONFIG GET's answer, built while the table is walked. */
typedef struct configcmd_get_state {
    client *c;
    buf pairs, value;
    long long count;
    const char **seen;          /* the parameters already in the answer */
    size_t seen_count;
} configcmd_get_state;

static bool configcmd_seen(const configcmd_get_state *s, const char *name)
{
    for (size_t i = 0; i < s->seen_count; i++) {
        if (s->seen[i] == name)
            return true;
    }
    return false;
}

static void configcmd_pair(configcmd_get_state *s, const config_param *p, const char *shown, size_t shown_len)
{
    s->seen[s->seen_count++] = config_name(p);
    resp_add_bulk(&s->pairs, shown, shown_len);
    buf_clear(&s->value);
    config_format(p, &s->value);
    resp_add_bulk(&s->pairs, buf_data(&s->value), buf_length(&s->value));
    s->count++;
}

/* One pattern, matched against every offered parameter. */
typedef struct configcmd_match {
    configcmd_get_state *state;
    const char *pattern;
    size_t len;
} configcmd_match;

static void configcmd_matching(const config_param *p, void *data)
{
    configcmd_match *m = data;
    const char *name = config_name(p);
    if (!configcmd_seen(m->state, name) && glob_match(m->pattern, m->len, name, strlen(name), true))
        configcmd_pair(m->state, p, name, strlen(name));
}

/* CONFIG GET parameter [parameter ...]
 * Like Redis, a name given exactly is answered under the spelling the
 * client used ("SAVE"), a parameter matched by a pattern under its own
 * name, and each parameter at most once. */
static void configcmd_get(client *c)
{
    const char **seen = mem_alloc(sizeof(char *) * config_count());
    configcmd_get_state s = {c, BUF_INIT, BUF_INIT, 0, seen, 0};
    for (int i = 2; i < c->argc; i++) {
        if (configcmd_is_pattern(c->argv[i], c->argvlen[i])) {
            configcmd_match m = {&s, c->argv[i], c->argvlen[i]};
            config_each(configcmd_matching, &m);
            continue;
        }
        const config_param *p = config_find(c->argv[i], c->argvlen[i]);
        if (p != NULL && !configcmd_seen(&s, config_name(p)))
            configcmd_pair(&s, p, c->argv[i], c->argvlen[i]);
    }
    reply_map(c, s.count);
    reply_raw(c, buf_data(&s.pairs), buf_length(&s.pairs));
    buf_free(&s.pairs);
    buf_free(&s.value);
    mem_free(seen);
}

/* Why pair n of CONFIG SET cannot be set, or NULL if it can. */
static const char *configcmd_set_refusal(client *c, int n, const config_param *p)
{
    if (config_is_protected(p))
        return "can't set protected config";
    if (!config_is_mutable(p))
        return "can't set immutable config";
    return config_check(p, c->argv[3 + 2 * n], c->argvlen[3 + 2 * n]);
}

static bool configcmd_set_seen(int n, const config_param **params)
{
    for (int k = 0; k < n; k++) {
        if (params[k] == params[n])
            return true;
    }
    return false;
}

/* Finds pair n's parameter into params[n] (params[] holds those of the
 * pairs before it); false, with the error sent, if it cannot be set. */
static bool configcmd_set_check(client *c, int n, const config_param **params)
{
    const char *name = c->argv[2 + 2 * n];
    size_t len = c->argvlen[2 + 2 * n];
    params[n] = config_find(name, len);
    if (params[n] == NULL) {
        reply_error_format(c, REPLY_ERR_CONFIG_UNKNOWN_FMT, (int)len, name);
        return false;
    }
    const char *refusal = configcmd_set_refusal(c, n, params[n]);
    if (refusal != NULL) {
        reply_error_format(c, REPLY_ERR_CONFIG_SET_FMT, config_name(params[n]), refusal);
        return false;
    }
    /* Redis names a repeated parameter as the client spelled it. */
    if (configcmd_set_seen(n, params)) {
        reply_error_format(c, REPLY_ERR_CONFIG_SET_NAMED_FMT, (int)len, name, "duplicate parameter");
        return false;
    }
    return true;
}

/* Put back the first `applied` pairs of a CONFIG SET that failed half
 * way, from their old values as CONFIG GET wrote them. */
static void configcmd_set_undo(int applied, const config_param **params, buf *old)
{
    for (int n = applied - 1; n >= 0; n--)
        config_apply(params[n], buf_data(&old[n]), buf_length(&old[n]));
}

/* Every pair, or the first failure's error; old[] gets what each applied
 * pair replaced. */
static bool configcmd_set_apply(client *c, int pairs, const config_param **params, buf *old)
{
    for (int n = 0; n < pairs; n++) {
        config_format(params[n], &old[n]);
        const char *failed = config_apply(params[n], c->argv[3 + 2 * n], c->argvlen[3 + 2 * n]);
        if (failed != NULL) {
            reply_error_format(c, REPLY_ERR_CONFIG_SET_FMT, config_name(params[n]), failed);
            configcmd_set_undo(n, params, old);
            return false;
        }
    }
    return true;
}

/* CONFIG SET parameter value [parameter value ...]
 * All or nothing, as in Redis: every pair is checked before any is
 * applied, and if applying one fails (the fork of appendonly yes), those
 * applied before it are put back. */
static void configcmd_set(client *c)
{
    int pairs = (c->argc - 2) / 2;
    const config_param **params = mem_alloc(sizeof(*params) * (size_t)pairs);
    buf *old = mem_calloc((size_t)pairs, sizeof(buf));
    bool ok = true;
    for (int n = 0; n < pairs && ok; n++)
        ok = configcmd_set_check(c, n, params);
    if (ok && configcmd_set_apply(c, pairs, params, old)) {
        config_settle(params, pairs);
        reply_ok(c);
    }
    for (int n = 0; n < pairs; n++)
        buf_free(&old[n]);
    mem_free(old);
    mem_free(params);
}

/* CONFIG subcommand ... */
static void cmd_config(client *c)
{
    if (command_arg_is(c, 1, "get")) {
        if (c->argc < 3)
            reply_error_arity(c, "config|get");
        else
            configcmd_get(c);
        return;
    }
    if (command_arg_is(c, 1, "resetstat")) {
        if (c->argc != 2) {
            reply_error_arity(c, "config|resetstat");
            return;
        }
        command_reset_stats();
        db_reset_stats();
        evict_reset_stats();
        admission_reset_stats();
        reply_ok(c);
        return;
    }
    if (command_arg_is(c, 1, "set")) {
        if (c->argc < 4 || c->argc % 2 != 0)
            reply_error_arity(c, "config|set");
        else
            configcmd_set(c);
        return;
    }
    reply_error_unknown_subcommand(c, "CONFIG");
}

static const command config_subcommands[] = {
    {"config|get", NULL, -3, 0, 0, 0, 0, "server", "Returns the effective values of configuration parameters.", NULL},
    {"config|set", NULL, -4, 0, 0, 0, 0, "server", "Sets configuration parameters in-flight.", NULL},
    {"config|resetstat", NULL, 2, 0, 0, 0, 0, "server", "Resets the server's statistics.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};

const command config_commands[] = {
    {"config", cmd_config, -2, 0, 0, 0, 0, "server",
     "A container for server configuration commands.", config_subcommands},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
