/* COMMAND: the server describes its commands (stage 6).
 *
 * Clients ask before they use a server: redis-cli fetches COMMAND DOCS for
 * its hints, and cluster clients and proxies read COMMAND INFO to find
 * which arguments are keys. The answers come straight from the command
 * table (command.h), so they cannot drift from what the server does. The
 * replies have Redis 7's shapes; what this server does not keep (ACL
 * categories beyond read/write, group and fast/slow, command tips, the
 * arguments in DOCS) is left out or empty. */
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"
#include "server/reply.h"

static void intro_text(client *c, const char *text)
{
    reply_bulk(c, text, strlen(text));
}

/* Redis 7 flags, as COMMAND INFO spells them. */
static void intro_flags(client *c, const command *cmd)
{
    const char *flags[5];
    int n = 0;
    if (cmd->flags & COMMAND_WRITE)
        flags[n++] = "write";
    if (cmd->flags & COMMAND_READONLY)
        flags[n++] = "readonly";
    if (cmd->flags & COMMAND_DENYOOM)
        flags[n++] = "denyoom";
    if (cmd->flags & COMMAND_FAST)
        flags[n++] = "fast";
    if (cmd->flags & COMMAND_NO_AUTH)
        flags[n++] = "no_auth";
    reply_array(c, n);
    for (int i = 0; i < n; i++)
        reply_simple(c, flags[i]);      /* a status reply, as Redis sends */
}

/* @write for a write command, @read for a read-only one (as Redis derives
 * them from the flags), the command's group (@string, @list ...), then
 * @fast or @slow, in Redis's order. */
static void intro_categories(client *c, const command *cmd)
{
    char group[32];
    snprintf(group, sizeof(group), "@%s", cmd->group ? cmd->group : "generic");
    const char *access = cmd->flags & COMMAND_WRITE ? "@write" : cmd->flags & COMMAND_READONLY ? "@read" : NULL;
    reply_array(c, access != NULL ? 3 : 2);
    if (access != NULL)
        reply_simple(c, access);
    reply_simple(c, group);
    reply_simple(c, cmd->flags & COMMAND_FAST ? "@fast" : "@slow");
}

/* One key spec describing first_key/last_key/key_step: "begin at index
 * first_key, then take a range". */
static void intro_key_specs(client *c, const command *cmd)
{
    if (cmd->first_key == 0) {
        reply_array(c, 0);
        return;
    }
    reply_array(c, 1);
    reply_map(c, 3);
    intro_text(c, "flags");
    reply_array(c, 1);
    reply_simple(c, cmd->flags & COMMAND_WRITE ? "RW" : "RO");
    intro_text(c, "begin_search");
    reply_map(c, 2);
    intro_text(c, "type");
    intro_text(c, "index");
    intro_text(c, "spec");
    reply_map(c, 1);
    intro_text(c, "index");
    reply_int(c, cmd->first_key);
    intro_text(c, "find_keys");
    reply_map(c, 2);
    intro_text(c, "type");
    intro_text(c, "range");
    intro_text(c, "spec");
    reply_map(c, 3);
    intro_text(c, "lastkey");
    reply_int(c, cmd->last_key < 0 ? cmd->last_key : cmd->last_key - cmd->first_key);
    intro_text(c, "keystep");
    reply_int(c, cmd->key_step);
    intro_text(c, "limit");
    reply_int(c, 0);
}

/* The ten fields of a Redis 7 COMMAND INFO entry. */
static void intro_info(client *c, const command *cmd)
{
    reply_array(c, 10);
    intro_text(c, cmd->name);
    reply_int(c, cmd->arity);
    intro_flags(c, cmd);
    reply_int(c, cmd->first_key);
    reply_int(c, cmd->last_key);
    reply_int(c, cmd->key_step);
    intro_categories(c, cmd);
    reply_array(c, 0);                  /* tips */
    intro_key_specs(c, cmd);
    long long subs = 0;
    for (const command *sub = cmd->subcommands; sub != NULL && sub->name != NULL; sub++)
        subs++;
    reply_array(c, subs);
    for (long long i = 0; i < subs; i++)
        intro_info(c, &cmd->subcommands[i]);
}

static void intro_docs(client *c, const command *cmd)
{
    intro_text(c, cmd->name);
    reply_map(c, 2);
    intro_text(c, "summary");
    intro_text(c, cmd->summary ? cmd->summary : "");
    intro_text(c, "group");
    intro_text(c, cmd->group ? cmd->group : "generic");
}

static void intro_each_info(const command *cmd, void *data)
{
    intro_info(data, cmd);
}

/* COMMAND LIST names subcommands too (config|get ...), as Redis does. */
static void intro_each_name(const command *cmd, void *data)
{
    intro_text(data, cmd->name);
    for (const command *sub = cmd->subcommands; sub != NULL && sub->name != NULL; sub++)
        intro_text(data, sub->name);
}

static void intro_count_names(const command *cmd, void *data)
{
    long long *count = data;
    (*count)++;
    for (const command *sub = cmd->subcommands; sub != NULL && sub->name != NULL; sub++)
        (*count)++;
}

static void intro_each_docs(const command *cmd, void *data)
{
    intro_docs(data, cmd);
}

/* COMMAND INFO name ... : an entry per name, nil for an unknown one. */
static void intro_info_of(client *c)
{
    if (c->argc == 2) {
        reply_array(c, (long long)command_count());
        command_each(intro_each_info, c);
        return;
    }
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        const command *cmd = command_lookup(c->argv[i], c->argvlen[i]);
        if (cmd == NULL)
            reply_null(c);
        else
            intro_info(c, cmd);
    }
}

/* COMMAND DOCS [name ...]: a map of name to its docs; unknown names are
 * left out, as Redis does. */
static void intro_docs_of(client *c)
{
    if (c->argc == 2) {
        reply_map(c, (long long)command_count());
        command_each(intro_each_docs, c);
        return;
    }
    long long known = 0;
    for (int i = 2; i < c->argc; i++)
        known += command_lookup(c->argv[i], c->argvlen[i]) != NULL;
    reply_map(c, known);
    for (int i = 2; i < c->argc; i++) {
        const command *cmd = command_lookup(c->argv[i], c->argvlen[i]);
        if (cmd != NULL)
            intro_docs(c, cmd);
    }
}

/* COMMAND [COUNT | LIST | INFO [name ...] | DOCS [name ...]] */
static void cmd_command(client *c)
{
    if (c->argc == 1) {
        reply_array(c, (long long)command_count());
        command_each(intro_each_info, c);
    } else if (command_arg_is(c, 1, "count") && c->argc == 2) {
        reply_int(c, (long long)command_count());
    } else if (command_arg_is(c, 1, "list") && c->argc == 2) {
        long long names = 0;
        command_each(intro_count_names, &names);
        reply_array(c, names);
        command_each(intro_each_name, c);
    } else if (command_arg_is(c, 1, "info")) {
        intro_info_of(c);
    } else if (command_arg_is(c, 1, "docs")) {
        intro_docs_of(c);
    } else if (command_arg_is(c, 1, "count") || command_arg_is(c, 1, "list")) {
        reply_error_arity(c, command_arg_is(c, 1, "count") ? "command|count" : "command|list");
    } else {
        reply_error_unknown_subcommand(c, "COMMAND");
    }
}

static const command command_subcommands[] = {
    {"command|count", NULL, 2, 0, 0, 0, 0, "server", "Returns a count of commands.", NULL},
    {"command|list", NULL, -2, 0, 0, 0, 0, "server", "Returns a list of command names.", NULL},
    {"command|info", NULL, -2, 0, 0, 0, 0, "server", "Returns information about one, multiple or all commands.", NULL},
    {"command|docs", NULL, -2, 0, 0, 0, 0, "server", "Returns documentary information about one, multiple or all commands.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};

const command introspection_commands[] = {
    {"command", cmd_command, -1, 0, 0, 0, 0, "server", "Returns detailed information about all commands.",
     command_subcommands},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
