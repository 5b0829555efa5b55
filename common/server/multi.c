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
    const command *cmd;
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

static multi_command multi_copy(const client *c, const command *cmd)
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

void multi_queue(client *c, const command *cmd)
{
    multi_state *m = c->multi;
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->items = mem_realloc(m->items, sizeof(*m->items) * (size_t)m->cap);
    }
    m->items[m->count++] = multi_copy(c, cmd);
    m->flags |= cmd->flags;
    reply_simple(c, "QUEUED");
}

void multi_discard(client *c)
{
    multi_state *m = c->multi;
    if (m != NULL) {
        for (int i = 0; i < m->count; i++)
            mem_free((void *)m->items[i].argv);
        mem_free(m->items);
        mem_free(m);
        c->multi = NULL;
    }
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC | CLIENT_DIRTY_CAS);
    watch_unwatch_all(c);
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

/* Run every queued command as if it had just arrived, each reply one
 * element of EXEC's array. The client's own argv (EXEC's) is put back
 * after, for the dispatcher and CLIENT LIST. */
static void multi_run(client *c)
{
    multi_state *m = c->multi;
    int argc = c->argc;
    const char **argv = c->argv;
    const size_t *argvlen = c->argvlen;
    reply_array(c, m->count);
    command_frame_begin();
    for (int i = 0; i < m->count; i++) {
        c->argc = m->items[i].argc;
        c->argv = m->items[i].argv;
        c->argvlen = m->items[i].argvlen;
        command_call(c, m->items[i].cmd);
    }
    command_frame_end();
    c->argc = argc;
    c->argv = argv;
    c->argvlen = argvlen;
}

void multi_exec(client *c)
{
    if (c->flags & CLIENT_DIRTY_EXEC) {
        reply_error(c, REPLY_ERR_EXECABORT);
        multi_discard(c);
        return;
    }
    if (watch_any_expired(c))
        c->flags |= CLIENT_DIRTY_CAS;
    if (c->flags & CLIENT_DIRTY_CAS) {
        reply_null_array(c);
        multi_discard(c);
        return;
    }
    /* Nothing the queue does can abort it now: stop watching first, so
     * that its own writes do not flag it. */
    watch_unwatch_all(c);
    multi_run(c);
    multi_discard(c);
    c->flags |= CLIENT_PROPAGATED;      /* its commands were logged, not EXEC */
}
