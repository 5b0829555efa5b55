/* Stage 1 — echo: an event loop serving many clients, and the RESP parser.
 *
 * Stage 0 served one client at a time with blocking calls. From here on
 * the server is built from common/: an epoll loop (io/loop.c) hands each
 * ready socket to serve.c, which reads it into its client (server/client.c),
 * has the incremental parser (io/resp.c) cut the bytes into requests, and
 * runs each through the dispatcher (server/command.c). This stage answers
 * PING and ECHO. Read workshop.md chapter 1. */
#include "commands/commands.h"
#include "server/server.h"

int main(int argc, char **argv)
{
    int status;

    /* 1. Options (--port, --bind, --help), the event loop, the sockets. */
    if (!server_start("stage1", argc, argv, &status))
        return status;

    /* 2. The commands this stage serves. */
    command_register(connection_commands);     /* PING ECHO */

    /* 3. Serve until SIGINT or SIGTERM. */
    return server_run();
}
