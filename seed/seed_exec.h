/* seed_exec: -e true, a client's command line run for it (stage 6).
 *
 * Stage 6 brings back the first workshop server's exec mode, fenced in on
 * every side (see seed_exec.c). seed_server.c starts it, hands it its TCP
 * clients, tells it when a command has exited and stops it. */
#ifndef SEED_EXEC_H
#define SEED_EXEC_H

#include "seed_client.h"

/* TCP clients' mode with -e true: each line they send is run. */
extern const seed_mode seed_exec_mode;

int seed_exec_start(char *err);     /* the fences checked once, at start; -1 with err filled */
void seed_reap_jobs(void);          /* SIGCHLD came */
void seed_kill_jobs(void);          /* at shutdown: kill and reap every command */

#endif
