/* seed_options: the seed's options, as its command line gives them (stage 6).
 *
 * Stage 6 brings back the first workshop server's modes. seed.c reads
 * these options from argv; every other module of the seed only reads the
 * struct. It has a header of its own, at the bottom, so those modules
 * need not include seed.h: that is the command line, which sits on top of
 * them all (it starts seed_run), and including it would be a cycle. */
#ifndef SEED_OPTIONS_H
#define SEED_OPTIONS_H

#include <stdbool.h>

#define SEED_ERR_LEN 256            /* every error message of the seed's modules fits */

typedef struct seed_options {
    int first_port, last_port;      /* -p 8888 or -p 8888-9000 (default 8001, the seed's) */
    bool udp;                       /* -l udp */
    bool hexdump;                   /* -x true */
    bool exec;                      /* -e true */
    bool redis;                     /* -i I: the Redis server on first_port */
    bool help;                      /* --help or -h anywhere */
    const char *exec_allow;         /* --exec-allow date,echo,...: names, never paths */
    long long exec_time_limit_ms;   /* --exec-time-limit MS */
    long long exec_max_output;      /* --exec-max-output BYTES */
    bool exec_options_given;        /* an --exec- option was seen (refused without -e) */
    int redis_argc;                 /* -i: the redis-server options that came along */
    char **redis_argv;              /* points into argv; owned by the caller */
} seed_options;

#endif
