/* multi: MULTI's queue and EXEC (Part II, transactions). See multi.h. */
#include "server/multi.h"

#include <string.h>

#include "base/mem.h"
#include "server/reply.h"
#include "server/watch.h"

/* One queued command. Its arguments pointed into the query buffer, which
 * the next read reuses, so they are copied: one allocation holds the
 * pointers, the lengths and the bytes. */
typedef struct multi_command {
    const struct command *cmd;
    int argc;
    const char **argv;
    size_t *argvlen;
} multi_command;

typedef struct multi_state {
    multi_command *items;
    int count, cap;
    int flags;                  /* COMMAND_* of all queued commands */
} multi_state;

void multi_start(client *c)
{
    c->multi = mem_calloc(1, sizeof(*c->multi));
    c->flags |= CLIENT_MULTI;
}

static multi_command multi_copy(const client *c, const struct command *cmd)
{
    size_t bytes = 0;
    for (int i = 0; i < c->argc; i++)
        bytes += c->argvlen[i] + 1;
    size_t table = (size_t)c->argc * (sizeof(char *) + sizeof(size_t));
    char *block = mem_alloc(table + bytes);
    multi_command m = {cmd, c->argc, (const char **)block, (size_t *)(block + (size_t)c->argc * sizeof(char *))};
    char *p = block + table;
    for (int i = 0; i < c->argc; i++) {
        memcpy(p, c->argv[i], c->argvlen[i]);
        p[c->argvlen[i]] = '\0';    /* as the parser leaves them */
        m.argv[i] = p;
        m.argvlen[i] = c->argvlen[i];
        p += c->argvlen[i] + 1;
    }
    return m;
}

void multi_queue(client *c, const struct command *cmd, int flags)
{
    multi_state *m = c->multi;
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->items = mem_realloc(m->items, sizeof(*m->items) * (size_t)m->cap);
    }
    m->items[m->count++] = multi_copy(c, cmd);
    m->flags |= flags;
    reply_simple(c, "QUEUED");
}

/* What the server lock guards: the queue and the watched keys. Not
 * `flags`, which the client's own thread reads without the lock. */
void multi_forget(client *c)
{
    multi_state *m = c->multi;
    if (m != NULL) {
        for (int i = 0; i < m->count; i++)
            mem_free((void *)m->items[i].argv);
        mem_free(m->items);
        mem_free(m);
        c->multi = NULL;
    }
    c->dirty_cas = false;
    watch_unwatch_all(c);
}

void multi_discard(client *c)
{
    multi_forget(c);
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC);
}

void multi_flag_error(client *c)
{
    if (c->flags & CLIENT_MULTI)
        c->flags |= CLIENT_DIRTY_EXEC;
}

/* Redis quotes the reason without its generic "ERR " (an arity error),
 * but keeps a specific code (NOAUTH, MISCONF, OOM). */
void multi_abort(client *c, const char *why)
{
    if (strncmp(why, "ERR ", 4) == 0)
        why += 4;
    reply_error_format(c, REPLY_ERR_EXECABORT_BECAUSE_FMT, why);
    multi_discard(c);
}

int multi_queued_flags(const client *c)
{
    return c->multi != NULL ? c->multi->flags : 0;
}

int multi_queued_count(const client *c)
{
    return c->multi != NULL ? c->multi->count : -1;
}

bool multi_ready(client *c)
{
    if (c->flags & CLIENT_DIRTY_EXEC) {
        reply_error(c, REPLY_ERR_EXECABORT);
        multi_discard(c);
        return false;
    }
    if (watch_any_expired(c))
        c->dirty_cas = true;
    if (c->dirty_cas) {
        reply_null_array(c);
        multi_discard(c);
        return false;
    }
    /* Nothing the queue does can abort it now: stop watching first, so
     * that its own writes do not flag it. */
    watch_unwatch_all(c);
    return true;
}

const struct command *multi_item(const client *c, int i, int *argc, const char ***argv, const size_t **argvlen)
{
    const multi_command *m = &c->multi->items[i];
    *argc = m->argc;
    *argv = m->argv;
    *argvlen = m->argvlen;
    return m->cmd;
}
