/* Fuzz target: the command dispatcher fed raw bytes (stages 1-4, and
 * stage 6's session and introspection commands).
 *
 * A client without a socket: bytes go through the parser into
 * command_execute() with those commands registered and a real
 * keyspace behind it, exactly as client.c runs them. Replies accumulate in
 * the reply buffer and are checked to be well-formed enough to start with
 * a RESP type byte. The keyspace persists across inputs, as a long-lived
 * server's does, and is flushed when it grows large. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "server/command.h"
#include "commands/commands.h"
#include "data/db.h"
#include "data/dict.h"
#include "io/resp.h"
#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db *keyspace;

static void fuzz_setup(void)
{
    uint8_t seed[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    dict_seed(seed);
    keyspace = db_create();
    server.dbs = &keyspace;
    server.db_count = 1;
    server.config.port = 6379;
    command_register(connection_commands);
    command_register(string_commands);
    command_register(key_commands);
    command_register(config_commands);
    command_register(ttl_commands);
    command_register(info_commands);
    command_register(list_commands);
    command_register(session_commands);
    command_register(introspection_commands);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (keyspace == NULL)
        fuzz_setup();
    client c = {0};
    c.db = keyspace;
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
            size_t before = buf_length(&c.reply);
            command_execute(&c);
            if (buf_length(&c.reply) == before)
                abort();                            /* every command replies */
            char type = buf_data(&c.reply)[before];
            if (type != '+' && type != '-' && type != ':' && type != '$' && type != '*')
                abort();
        }
        buf_consume(&c.query, c.parser.consumed);
    }
    resp_parser_free(&c.parser);
    buf_free(&c.query);
    buf_free(&c.reply);
    if (db_size(keyspace) > 10000)
        db_flush(keyspace);
    return 0;
}
