/* seed_server: the process behind the seed's echo and exec modes (stage 6).
 *
 * Stage 6's seed.c calls this once it has read a command line for one of
 * the seed's own modes; everything else about that little server is
 * inside (seed_server.c). */
#ifndef SEED_SERVER_H
#define SEED_SERVER_H

#include "seed_options.h"

/* Runs the mode *opts asks for until SIGINT or SIGTERM; returns the exit
 * status. `name` must outlive the call. */
int seed_run(const seed_options *opts, const char *name);

#endif
