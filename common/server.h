/* server: the server's state, its options, start and stop (stage 1).
 *
 * There is one server per process, so its state is one global struct, as
 * in Redis: every module can reach the loop, the keyspace and the config
 * without threading a pointer through every call.
 *
 * A stage's main() is then a short story:
 *
 *     if (!server_start("stage2", argc, argv, &status))    // options, loop, sockets
 *         return status;
 *     command_register(connection_commands);               // what it serves
 *     return server_run();                                 // until SIGTERM
 */
#ifndef SERVER_H
#define SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "aof.h"
#include "db.h"
#include "loop.h"

#define SERVER_MAX_BIND 16
#define SERVER_ERR_LEN 512

typedef struct server_config {
    const char *name;                   /* the binary's stage name, for messages */
    int port;                           /* TCP port, 6379 by default */
    char *bind[SERVER_MAX_BIND];        /* addresses; a leading '-' means "skip if unavailable" */
    int bind_count;
    char *dir;                          /* working directory, where the AOF lives (stage 5) */
    aof_config aof;                     /* --appendonly --appendfsync --appendfilename (stage 5) */
    char *aof_filename;                 /* owns aof.filename */
    int databases;                      /* --databases (stage 6) */
    char *requirepass;                  /* --requirepass: NULL when no password (stage 6) */
    size_t requirepass_len;             /* its bytes: a password may hold a NUL (CONFIG SET) */
    long long maxclients;               /* --maxclients (stage 6) */
    long long timeout;                  /* --timeout: close clients idle this many seconds, 0 never */
    int threads;                        /* --threads: reactors serving clients (stage 6) */
    bool protected_mode;                /* --protected-mode: no password, loopback clients only */
    char *config_file;                  /* the file the options came from, if any */
} server_config;

struct server {
    server_config config;
    loop *loop;
    int listen_fds[SERVER_MAX_BIND];
    int listen_count;
    db **dbs;                           /* the keyspaces (stage 2 on); SELECT picks one (stage 6) */
    int db_count;                       /* --databases, 16 by default as in Redis */
    uint64_t next_client_id;
    size_t max_clients;                 /* maxclients: 10000, or fewer if fds are scarce */
    long long cron_id;                  /* the 10 Hz housekeeping timer */
    bool active_expiry;                 /* the cron deletes expired keys (stage 3) */
    bool aof_started;                   /* the append-only file is in use (stage 5) */
    long long expire_fast_id;           /* the extra expiry timer while there is a backlog */
    volatile int shutdown_signal;       /* set by SIGINT/SIGTERM */
    long long started_ms;               /* for INFO's uptime */
};

extern struct server server;

enum server_args_result { SERVER_ARGS_OK, SERVER_ARGS_EXIT, SERVER_ARGS_ERROR };

void server_offer_options(int stage);   /* before server_start: this stage's options */
void server_config_init(server_config *config, const char *name);
void server_config_free(server_config *config);
enum server_args_result server_config_from_args(server_config *config, int argc, char **argv,
                                                char *err);
int server_init(const server_config *config, char *err);   /* takes the config */
bool server_start(const char *name, int argc, char **argv, int *exit_status);
void server_enable_active_expiry(void);
bool server_enable_aof(int *exit_status);  /* replay the file, then log every write */
int server_run(void);
void server_free(void);                    /* after a failed start, or at shutdown */

/* The one lock of the shared state (stage 6): see server.c. */
void server_lock(void);
void server_unlock(void);
/* maxclients as far as the open-files limit allows, raising it if it can
 * (at start and on CONFIG SET maxclients). */
size_t server_fit_max_clients(size_t wanted);

#endif
