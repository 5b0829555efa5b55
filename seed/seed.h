/* seed: the command line of the workshop's first server (stage 6).
 *
 * The workshop began as a small Python server whose short options people
 * still type: `-p 8888` echoes every byte back, `-p 8888-9000` does so on
 * a whole range of ports, `-l udp` echoes datagrams, `-x true` writes a
 * `hexdump -C` of what arrives to the log, `-e true` runs the command a
 * client sends, and `-p 8001 -i I` is the Redis server. Stage 6, the final
 * server, keeps them working so those habits and scripts still do:
 *
 *     int status;
 *     if (seed_is_command_line(argc, argv) && seed_main(&argc, &argv, &status) == SEED_EXIT)
 *         return status;
 *     // -i I: argv is now "stage6 --port N ...": go on as the Redis server
 *
 * The echo modes are their own small server on the event loop (no
 * keyspace, no commands), which makes them a compact example of stage 1's
 * ideas. The exec mode is a remote shell, and so is locked down: off
 * unless asked, loopback only, no shell, an allowlist, a time limit and an
 * output cap (see seed_exec.c).
 *
 * The pure pieces (option, port range and command line parsing) are
 * public for the unit tests: the options are in seed_options.h and the
 * exec mode's pure checks in seed_fences.h, both included here; the
 * hexdump layout is its own module, hexdump.h. */
#ifndef SEED_H
#define SEED_H

#include <stdbool.h>

#include "seed_fences.h"
#include "seed_options.h"

enum seed_result {
    SEED_EXIT,          /* the seed mode ran (or was refused): exit with *exit_status */
    SEED_RUN_REDIS,     /* -i: *argv now holds a redis-server command line */
};

/* True if argv is the seed's (its first argument is -p, -l, -x, -e, -i or
 * an --exec- option), or asks for --help / -h, whose first half lists the
 * seed's options. A redis-server style command line (--port, a config
 * file, nothing at all) is left to the Redis server. */
bool seed_is_command_line(int argc, char **argv);

/* Runs the mode argv asks for until SIGINT/SIGTERM, or, for -i and --help,
 * rewrites *argc / *argv (into static storage) for server_start(). */
enum seed_result seed_main(int *argc, char ***argv, int *exit_status);

/* ---------------- The pure pieces, for the unit tests ---------------- */

/* Parses the seed's command line. 0, or -1 with err filled (one line).
 * opts->redis_argv must have room for argc pointers. */
int seed_parse_options(int argc, char **argv, seed_options *opts, char *err);

/* "8888" or "8888-9000", ports 1 to 65535, first <= last, at most
 * SEED_MAX_PORTS of them. 0, or -1 with err filled. */
#define SEED_MAX_PORTS 1024
int seed_parse_ports(const char *text, int *first, int *last, char *err);

#endif
