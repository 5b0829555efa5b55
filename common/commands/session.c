/* Session commands: HELLO AUTH QUIT SELECT SWAPDB CLIENT TIME (stage 6).
 *
 * These act on the connection rather than on keys: which protocol its
 * replies speak (HELLO 2 or 3), whether it has proved it knows the
 * password (AUTH), which database it works in (SELECT), its name, and the
 * list of everyone connected (CLIENT). Real clients send several of them
 * the moment they connect (workshop chapter 6 has the table of what each
 * client sends), so the replies must be Redis's exactly, including the
 * errors clients are known to ignore. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands/commands.h"
#include "base/buf.h"
#include "base/mem.h"
#include "base/num.h"
#include "server/blocking.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/reply.h"
#include "server/config.h"
#include "server/server.h"

#define SESSION_VERSION "7.0.15"       /* the Redis whose behaviour we match */

/* ---------------- AUTH and HELLO ---------------- */

/* Compare without stopping at the first difference, so the time taken
 * does not tell an attacker how much of a guess was right. */
static bool session_same_secret(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char diff = alen != blen;
    for (size_t i = 0; i < alen && i < blen; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* The only user is "default", as in Redis without ACLs: its password is
 * requirepass, and with none set any password is accepted for it. */
static bool session_password_ok(const char *user, size_t ulen, const char *pass, size_t plen)
{
    if (ulen != 7 || memcmp(user, "default", 7) != 0)
        return false;
    const config_string *want = &config.requirepass;
    return want->len == 0 || session_same_secret(want->text, want->len, pass, plen);
}

static bool session_authenticate(client *c, const char *user, size_t ulen, const char *pass, size_t plen)
{
    if (!session_password_ok(user, ulen, pass, plen)) {
        reply_error(c, REPLY_ERR_WRONGPASS);
        return false;
    }
    c->auth_required = false;
    return true;
}

/* AUTH [username] password */
static void cmd_auth(client *c)
{
    if (c->argc > 3) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    if (c->argc == 2 && config.requirepass.len == 0) {
        reply_error(c, REPLY_ERR_AUTH_NO_PASSWORD);
        return;
    }
    bool ok = c->argc == 2 ? session_authenticate(c, "default", 7, c->argv[1], c->argvlen[1])
                           : session_authenticate(c, c->argv[1], c->argvlen[1], c->argv[2], c->argvlen[2]);
    if (ok)
        reply_ok(c);
}

/* CLIENT SETNAME and HELLO SETNAME: printable, no spaces. */
static bool session_name_ok(const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '!' || name[i] > '~')
            return false;
    }
    return true;
}

static bool session_set_name(client *c, const char *name, size_t len)
{
    if (!session_name_ok(name, len)) {
        reply_error(c, REPLY_ERR_CLIENT_NAME);
        return false;
    }
    mem_free(c->name);
    c->name = NULL;
    if (len > 0) {
        c->name = mem_alloc(len + 1);
        memcpy(c->name, name, len);
        c->name[len] = '\0';
    }
    return true;
}

static void session_bulk_text(client *c, const char *text)
{
    reply_bulk(c, text, strlen(text));
}

static void hello_reply(client *c)
{
    reply_map(c, 7);
    session_bulk_text(c, "server");
    session_bulk_text(c, "redis");
    session_bulk_text(c, "version");
    session_bulk_text(c, SESSION_VERSION);
    session_bulk_text(c, "proto");
    reply_int(c, c->resp);
    session_bulk_text(c, "id");
    reply_int(c, (long long)c->id);
    session_bulk_text(c, "mode");
    session_bulk_text(c, "standalone");
    session_bulk_text(c, "role");
    session_bulk_text(c, "master");
    session_bulk_text(c, "modules");
    reply_array(c, 0);
}

/* HELLO [protover [AUTH username password] [SETNAME clientname]]
 * Switches the connection's protocol, and replies with a description of
 * the server in that protocol. */
static void cmd_hello(client *c)
{
    long long version = 0;
    int i = 1;
    if (c->argc >= 2) {
        if (!num_parse_ll(c->argv[1], c->argvlen[1], &version)) {
            reply_error(c, REPLY_ERR_HELLO_PROTOVER);
            return;
        }
        if (version < 2 || version > 3) {
            reply_error(c, REPLY_ERR_NOPROTO);
            return;
        }
        i = 2;
    }
    int user = 0, name = 0;
    for (; i < c->argc; i++) {
        int more = c->argc - 1 - i;
        if (command_arg_is(c, i, "auth") && more >= 2) {
            user = i + 1;
            i += 2;
        } else if (command_arg_is(c, i, "setname") && more >= 1) {
            name = ++i;
        } else {
            reply_error_format(c, REPLY_ERR_HELLO_OPTION_FMT, (int)strnlen(c->argv[i], c->argvlen[i]), c->argv[i]);
            return;
        }
    }
    if (user != 0 && !session_authenticate(c, c->argv[user], c->argvlen[user], c->argv[user + 1], c->argvlen[user + 1]))
        return;
    if (c->auth_required) {
        reply_error(c, REPLY_ERR_HELLO_NOAUTH);
        return;
    }
    if (name != 0 && !session_set_name(c, c->argv[name], c->argvlen[name]))
        return;
    if (version != 0)
        c->resp = (int)version;
    hello_reply(c);
}

/* QUIT */
static void cmd_quit(client *c)
{
    reply_ok(c);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

/* ---------------- Databases ---------------- */

/* A database number, or an error reply. */
/* argv[i] as an int, as Redis's getIntFromObjectOrReply: with a message,
 * that message for any failure; without, its two texts. */
static bool session_int_arg(client *c, int i, const char *message, int *out)
{
    long long n;
    if (!num_parse_ll(c->argv[i], c->argvlen[i], &n)) {
        reply_error(c, message ? message : REPLY_ERR_NOT_INTEGER);
        return false;
    }
    if (n < -2147483648LL || n > 2147483647LL) {
        reply_error(c, message ? message : REPLY_ERR_NOT_INT32);
        return false;
    }
    *out = (int)n;
    return true;
}

static bool session_db_exists(int id)
{
    return id >= 0 && id < server.db_count;
}

/* SELECT index */
static void cmd_select(client *c)
{
    int id;
    if (!session_int_arg(c, 1, NULL, &id))
        return;
    if (!session_db_exists(id)) {
        reply_error(c, REPLY_ERR_DB_INDEX);
        return;
    }
    c->db = server.dbs[id];
    reply_ok(c);
}

/* SWAPDB index1 index2
 * Clients keep pointing at the same db struct, so swapping the tables
 * inside them is what makes a client of db 0 see db 1's data at once. */
static void cmd_swapdb(client *c)
{
    int a, b;
    if (!session_int_arg(c, 1, REPLY_ERR_DB_FIRST_INDEX, &a) ||
        !session_int_arg(c, 2, REPLY_ERR_DB_SECOND_INDEX, &b))
        return;
    if (!session_db_exists(a) || !session_db_exists(b)) {
        reply_error(c, REPLY_ERR_DB_INDEX);
        return;
    }
    if (a != b) {
        db_swap(server.dbs[a], server.dbs[b]);
        blocking_db_swapped(server.dbs[a], server.dbs[b]);     /* Part II: waiters on keys now there */
    } else {
        db_changed(server.dbs[a]);      /* Redis logs it even then */
    }
    reply_ok(c);
}

/* ---------------- CLIENT ---------------- */

/* ip:port, with the IPv6 address in brackets ([::1]:6379), as Redis
 * writes it, so that an address can be told from its port. */
static void session_addr(char *out, size_t size, const char *ip, int port)
{
    snprintf(out, size, strchr(ip, ':') ? "[%s]:%d" : "%s:%d", ip, port);
}

/* Append s; names and library names may be of any length. */
static void session_append_text(buf *out, const char *s)
{
    buf_append(out, s, strlen(s));
}

/* CLIENT LIST's flags=, in Redis's order: P subscribed, x inside
 * MULTI, b blocked, d once a watched key changed; N for none. */
static void client_list_flags(const client *c, char *flags)
{
    /* Not c->flags: its own thread writes them without the lock. */
    char *p = flags;
    if (pubsub_subscribed(c))
        *p++ = 'P';
    if (c->multi != NULL)
        *p++ = 'x';
    if (blocking_is_blocked(c))
        *p++ = 'b';
    if (c->dirty_cas)
        *p++ = 'd';
    if (p == flags)
        *p++ = 'N';
    *p = '\0';
}

/* Another thread may be reading into or writing from a client's buffers
 * right now, so its line shows their sizes as they were after its last
 * commands; the caller's own are as they are. */
static void client_list_line(buf *out, const client *c, const client *caller, long long now)
{
    size_t qbuf = c == caller ? buf_length(&c->query) : c->shown_qbuf;
    size_t rbs = c == caller ? c->reply.cap : c->shown_rbs;
    char addr[NET_IP_LEN + 8], laddr[NET_IP_LEN + 8];
    session_addr(addr, sizeof(addr), c->ip, c->port);
    session_addr(laddr, sizeof(laddr), c->local_ip, c->local_port);
    char part[512], flags[8];
    client_list_flags(c, flags);
    snprintf(part, sizeof(part), "id=%llu addr=%s laddr=%s fd=%d name=", (unsigned long long)c->id, addr, laddr,
             c->fd);
    session_append_text(out, part);
    session_append_text(out, c->name ? c->name : "");
    snprintf(part, sizeof(part),
             " age=%lld idle=%lld flags=%s db=%d sub=%zu psub=%zu ssub=%zu multi=%d qbuf=%zu qbuf-free=0 argv-mem=0 "
             "multi-mem=0 rbs=%zu rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=%s user=default redir=-1 resp=%d",
             (now - c->created_ms) / 1000, (now - c->last_ms) / 1000, flags, c->db ? c->db->id : 0,
             pubsub_client_count(c, PUBSUB_CHANNEL), pubsub_client_count(c, PUBSUB_PATTERN),
             pubsub_client_count(c, PUBSUB_SHARD), multi_queued_count(c), qbuf, rbs, c->last_cmd ? c->last_cmd : "NULL", c->resp);
    session_append_text(out, part);
    if (c->lib_name != NULL || c->lib_ver != NULL) {
        session_append_text(out, " lib-name=");
        session_append_text(out, c->lib_name ? c->lib_name : "");
        session_append_text(out, " lib-ver=");
        session_append_text(out, c->lib_ver ? c->lib_ver : "");
    }
    buf_append(out, "\n", 1);
}

/* CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id ...]: one line
 * per client, as a verbatim text. Every client here is "normal". */
static void client_cmd_list(client *c)
{
    bool none = false;
    int ids = 0;
    if (c->argc == 4 && command_arg_is(c, 2, "type")) {
        if (command_arg_is(c, 3, "master") || command_arg_is(c, 3, "replica") || command_arg_is(c, 3, "pubsub"))
            none = true;
        else if (!command_arg_is(c, 3, "normal")) {
            reply_error_format(c, REPLY_ERR_CLIENT_TYPE_FMT, (int)strnlen(c->argv[3], c->argvlen[3]), c->argv[3]);
            return;
        }
    } else if (c->argc >= 4 && command_arg_is(c, 2, "id")) {
        ids = 3;
        for (int i = 3; i < c->argc; i++) {
            long long id;
            if (!num_parse_ll(c->argv[i], c->argvlen[i], &id) || id <= 0) {
                reply_error(c, REPLY_ERR_CLIENT_ID);
                return;
            }
        }
    } else if (c->argc != 2) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    buf out = BUF_INIT;
    long long now = loop_now_ms();
    for (const client *o = client_all(); o != NULL && !none; o = o->next) {
        bool wanted = ids == 0;
        for (int i = ids; i > 0 && i < c->argc && !wanted; i++) {
            long long id;
            wanted = num_parse_ll(c->argv[i], c->argvlen[i], &id) && (uint64_t)id == o->id;
        }
        if (wanted)
            client_list_line(&out, o, c, now);
    }
    reply_verbatim(c, buf_data(&out), buf_length(&out));
    buf_free(&out);
}

/* CLIENT INFO: this connection's line of CLIENT LIST. */
static void client_cmd_info(client *c)
{
    buf out = BUF_INIT;
    client_list_line(&out, c, c, loop_now_ms());
    reply_verbatim(c, buf_data(&out), buf_length(&out));
    buf_free(&out);
}

/* CLIENT KILL addr:port (the old form: OK or an error) or CLIENT KILL
 * ID id | ADDR addr:port | SKIPME yes|no ... (the new: how many). */
static bool client_addr_is(const client *o, const char *addr, size_t len)
{
    char text[NET_IP_LEN + 8];
    session_addr(text, sizeof(text), o->ip, o->port);
    return strlen(text) == len && memcmp(text, addr, len) == 0;
}

static void client_kill_one(client *c, client *target)
{
    if (target == c)
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;   /* after it hears the reply */
    else
        client_kill(target);
}

static void client_cmd_kill(client *c)
{
    if (c->argc == 3) {
        for (client *o = client_all(); o != NULL; o = o->next) {
            if (client_addr_is(o, c->argv[2], c->argvlen[2])) {
                client_kill_one(c, o);
                reply_ok(c);
                return;
            }
        }
        reply_error(c, REPLY_ERR_NO_SUCH_CLIENT);
        return;
    }
    long long id = -1;
    int addr = 0;
    bool skipme = true;
    for (int i = 2; i < c->argc; i += 2) {
        if (i + 1 >= c->argc) {
            reply_error(c, REPLY_ERR_SYNTAX);
            return;
        }
        if (command_arg_is(c, i, "id")) {
            if (!num_parse_ll(c->argv[i + 1], c->argvlen[i + 1], &id) || id <= 0) {
                reply_error(c, REPLY_ERR_CLIENT_ID_POSITIVE);
                return;
            }
        } else if (command_arg_is(c, i, "addr")) {
            addr = i + 1;
        } else if (command_arg_is(c, i, "skipme") && (command_arg_is(c, i + 1, "yes") || command_arg_is(c, i + 1, "no"))) {
            skipme = command_arg_is(c, i + 1, "yes");
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return;
        }
    }
    long long killed = 0;
    client *next;
    for (client *o = client_all(); o != NULL; o = next) {
        next = o->next;
        if ((id != -1 && o->id != (uint64_t)id) || (addr && !client_addr_is(o, c->argv[addr], c->argvlen[addr])) ||
            (skipme && o == c))
            continue;
        client_kill_one(c, o);
        killed++;
    }
    reply_int(c, killed);
}

/* CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2: clients send it on
 * connect and ignore an error, but a 7.2 server says OK). */
static void client_cmd_setinfo(client *c)
{
    if (c->argc != 4) {
        reply_error_arity(c, "client|setinfo");
        return;
    }
    char **slot;
    if (command_arg_is(c, 2, "lib-name"))
        slot = &c->lib_name;
    else if (command_arg_is(c, 2, "lib-ver"))
        slot = &c->lib_ver;
    else {
        reply_error_format(c, REPLY_ERR_SETINFO_OPTION_FMT, (int)strnlen(c->argv[2], c->argvlen[2]), c->argv[2]);
        return;
    }
    if (!session_name_ok(c->argv[3], c->argvlen[3])) {
        reply_error_format(c, REPLY_ERR_SETINFO_VALUE_FMT, slot == &c->lib_name ? "lib-name" : "lib-ver");
        return;
    }
    mem_free(*slot);
    *slot = mem_alloc(c->argvlen[3] + 1);
    memcpy(*slot, c->argv[3], c->argvlen[3]);
    (*slot)[c->argvlen[3]] = '\0';
    reply_ok(c);
}

/* CLIENT UNBLOCK id [TIMEOUT|ERROR] (Part II, blocking commands): a
 * blocked client is answered as if its time were up, or with an error.
 * 1 if it was blocked. */
static void client_cmd_unblock(client *c)
{
    bool with_error = false;
    if (c->argc == 4) {     /* the reason is read before the id, as in Redis */
        if (command_arg_is(c, 3, "error"))
            with_error = true;
        else if (!command_arg_is(c, 3, "timeout")) {
            reply_error(c, REPLY_ERR_UNBLOCK_REASON);
            return;
        }
    }
    long long id;
    if (!num_parse_ll(c->argv[2], c->argvlen[2], &id)) {
        reply_error(c, REPLY_ERR_NOT_INTEGER);
        return;
    }
    client *target = id > 0 ? client_by_id((uint64_t)id) : NULL;
    reply_int(c, target != NULL && blocking_unblock(target, with_error) ? 1 : 0);
}

/* CLIENT REPLY ON|OFF|SKIP (Part II, pub/sub): OFF and SKIP answer
 * nothing, not even OK; SKIP silences the next command only, and means
 * nothing while replies are off. */
static void client_cmd_reply(client *c)
{
    if (command_arg_is(c, 2, "on")) {
        c->reply_mode = CLIENT_REPLY_ON;
        reply_ok(c);
    } else if (command_arg_is(c, 2, "off")) {
        c->reply_mode = CLIENT_REPLY_OFF;
    } else if (command_arg_is(c, 2, "skip")) {
        if (c->reply_mode != CLIENT_REPLY_OFF)
            c->reply_mode = CLIENT_REPLY_SKIP_NEXT;
    } else {
        reply_error(c, REPLY_ERR_SYNTAX);
    }
}

/* CLIENT LIST shows the last command as "client|list", not "client". */
static void client_note_subcommand(client *c)
{
    static const char *const names[] = {"client|id", "client|getname", "client|setname", "client|list",
                                        "client|kill", "client|setinfo", "client|info", "client|unblock",
                                        "client|reply"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (command_arg_is(c, 1, names[i] + 7))
            c->last_cmd = names[i];
    }
}

/* CLIENT subcommand ... */
static void cmd_client(client *c)
{
    client_note_subcommand(c);
    if (command_arg_is(c, 1, "id") && c->argc == 2) {
        reply_int(c, (long long)c->id);
    } else if (command_arg_is(c, 1, "getname") && c->argc == 2) {
        if (c->name == NULL)
            reply_null(c);
        else
            session_bulk_text(c, c->name);
    } else if (command_arg_is(c, 1, "setname") && c->argc == 3) {
        if (session_set_name(c, c->argv[2], c->argvlen[2]))
            reply_ok(c);
    } else if (command_arg_is(c, 1, "list")) {
        client_cmd_list(c);
    } else if (command_arg_is(c, 1, "info") && c->argc == 2) {
        client_cmd_info(c);
    } else if (command_arg_is(c, 1, "kill") && c->argc >= 3) {
        client_cmd_kill(c);
    } else if (command_arg_is(c, 1, "setinfo")) {
        client_cmd_setinfo(c);
    } else if (command_arg_is(c, 1, "unblock") && (c->argc == 3 || c->argc == 4)) {
        client_cmd_unblock(c);
    } else if (command_arg_is(c, 1, "reply") && c->argc == 3) {
        client_cmd_reply(c);
    } else if (command_arg_is(c, 1, "unblock") && c->argc > 4) {
        reply_error_format(c, REPLY_ERR_SUBCOMMAND_SYNTAX_FMT, (int)c->argvlen[1], c->argv[1], "CLIENT");
    } else if (command_arg_is(c, 1, "id") || command_arg_is(c, 1, "getname") || command_arg_is(c, 1, "setname") ||
               command_arg_is(c, 1, "kill") || command_arg_is(c, 1, "unblock") || command_arg_is(c, 1, "reply")) {
        char name[32];
        snprintf(name, sizeof(name), "client|%.*s", (int)c->argvlen[1], c->argv[1]);
        for (char *p = name; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        reply_error_arity(c, name);
    } else {
        reply_error_unknown_subcommand(c, "CLIENT");
    }
}

/* ---------------- TIME ---------------- */

/* TIME: seconds and microseconds, as two bulk strings. */
static void cmd_time(client *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char text[NUM_LL_MAX];
    reply_array(c, 2);
    reply_bulk(c, text, num_format_ll(text, (long long)ts.tv_sec));
    reply_bulk(c, text, num_format_ll(text, ts.tv_nsec / 1000));
}

static const command client_subcommands[] = {
    {"client|id", NULL, 2, 0, 0, 0, 0, "connection", "Returns the unique client ID of the connection.", NULL},
    {"client|getname", NULL, 2, 0, 0, 0, 0, "connection", "Returns the name of the connection.", NULL},
    {"client|setname", NULL, 3, 0, 0, 0, 0, "connection", "Sets the connection name.", NULL},
    {"client|list", NULL, -2, 0, 0, 0, 0, "connection", "Lists open connections.", NULL},
    {"client|info", NULL, 2, 0, 0, 0, 0, "connection", "Returns information about the connection.", NULL},
    {"client|kill", NULL, -3, 0, 0, 0, 0, "connection", "Terminates open connections.", NULL},
    {"client|setinfo", NULL, 4, 0, 0, 0, 0, "connection", "Sets information specific to the client or connection.", NULL},
    {"client|unblock", NULL, -3, 0, 0, 0, 0, "connection", "Unblocks a client blocked by a blocking command from a different connection.", NULL},
    {"client|reply", NULL, 3, 0, 0, 0, 0, "connection", "Instructs the server whether to reply to commands.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};

const command session_commands[] = {
    {"hello", cmd_hello, -1, COMMAND_FAST | COMMAND_NO_AUTH, 0, 0, 0, "connection",
     "Handshakes with the Redis server.", NULL},
    {"auth", cmd_auth, -2, COMMAND_FAST | COMMAND_NO_AUTH, 0, 0, 0, "connection",
     "Authenticates the connection.", NULL},
    {"quit", cmd_quit, -1, COMMAND_FAST | COMMAND_NO_AUTH | COMMAND_NO_QUEUE | COMMAND_SUBSCRIBED_OK, 0, 0, 0, "connection",
     "Closes the connection.", NULL},
    {"select", cmd_select, 2, COMMAND_FAST, 0, 0, 0, "connection",
     "Changes the selected database.", NULL},
    {"swapdb", cmd_swapdb, 3, COMMAND_WRITE | COMMAND_FAST, 0, 0, 0, "server",
     "Swaps two Redis databases.", NULL},
    {"client", cmd_client, -2, 0, 0, 0, 0, "connection",
     "A container for client connection commands.", client_subcommands},
    {"time", cmd_time, 1, COMMAND_FAST, 0, 0, 0, "server",
     "Returns the server time.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
