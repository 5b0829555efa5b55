/* outbox: bytes for a client that another thread serves (Part II). See
 * outbox.h. */
#include "server/outbox.h"

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "io/reactor.h"
#include "server/lock.h"

/* Under the server lock: per reactor, the clients to look at, and
 * whether a job to do so is already posted. */
static client *outbox_lists[REACTOR_MAX];
static bool outbox_posted[REACTOR_MAX];
static outbox_wake_fn *outbox_on_wake;

void outbox_set_wake_hook(outbox_wake_fn *fn)
{
    outbox_on_wake = fn;
}

static void outbox_unlink(int r, client *c)
{
    if (c->wake_prev != NULL)
        c->wake_prev->wake_next = c->wake_next;
    else
        outbox_lists[r] = c->wake_next;
    if (c->wake_next != NULL)
        c->wake_next->wake_prev = c->wake_prev;
    c->wake_prev = c->wake_next = NULL;
    c->wake_listed = false;
}

/* On c's own thread, under the lock: what other threads left for it
 * goes to its reply, in front of anything its next commands answer. */
void outbox_collect(client *c)
{
    if (!c->wake_listed)
        return;
    outbox_unlink(reactor_index_of(c->loop), c);
    if (buf_length(&c->outbox) > 0) {
        buf_append(&c->reply, buf_data(&c->outbox), buf_length(&c->outbox));
        buf_clear(&c->outbox);
        buf_shrink(&c->outbox, CLIENT_BUF_KEEP);   /* a burst's buffer is not kept for ever */
    }
    if (outbox_on_wake != NULL)
        outbox_on_wake(c);
    if (!c->killed && !c->closing)
        client_hold_reply(c);
}

/* The job, on reactor r's thread. A client closed meanwhile left the
 * list when it was forgotten, so every client here is alive. */
static void outbox_drain(void *data)
{
    int r = (int)(intptr_t)data;
    lock_acquire();
    outbox_posted[r] = false;
    while (outbox_lists[r] != NULL)
        outbox_collect(outbox_lists[r]);
    lock_release();
}

void outbox_wake(client *c)
{
    if (c->wake_listed || c->killed || c->closing)
        return;
    int r = reactor_index_of(c->loop);
    if (r < 0)
        return;
    c->wake_prev = NULL;
    c->wake_next = outbox_lists[r];
    if (outbox_lists[r] != NULL)
        outbox_lists[r]->wake_prev = c;
    outbox_lists[r] = c;
    c->wake_listed = true;
    if (!outbox_posted[r]) {
        outbox_posted[r] = true;
        reactor_post(r, outbox_drain, (void *)(intptr_t)r);
    }
}

void outbox_send(client *c, const char *bytes, size_t len)
{
    if (c->loop == NULL) {          /* no socket: a test's client */
        buf_append(&c->reply, bytes, len);
        return;
    }
    /* On its own thread, unless older bytes from others wait in its
     * outbox: they go first. */
    if (c->loop == reactor_current() && !c->wake_listed) {
        buf_append(c->to_outbox ? &c->outbox : &c->reply, bytes, len);
        if (!c->to_outbox)
            client_hold_reply(c);
        return;
    }
    buf_append(&c->outbox, bytes, len);
    outbox_wake(c);
}

size_t outbox_pending_bytes(void)
{
    size_t total = 0;
    for (int r = 0; r < reactor_count(); r++)
        for (const client *c = outbox_lists[r]; c != NULL; c = c->wake_next)
            total += c->outbox.cap;
    return total;
}

void outbox_forget(client *c)
{
    if (c->wake_listed)
        outbox_unlink(reactor_index_of(c->loop), c);
}
