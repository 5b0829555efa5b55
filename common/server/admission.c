/* admission: maxclients and protected mode (stage 1). See admission.h. */
#include "server/admission.h"

#include <string.h>
#include <sys/resource.h>

#include "base/log.h"

#define ADMISSION_RESERVED_FDS 32   /* Redis's CONFIG_MIN_RESERVED_FDS */

static long long admission_accepted, admission_rejected;

/* Redis's protected mode: with no password set, a server that was made
 * to listen beyond loopback still answers only local clients, so that a
 * careless --bind 0.0.0.0 does not open the data to the world. */
#define ADMISSION_DENIED "-DENIED Redis is running in protected mode because protected mode is enabled and no " \
    "password is set for the default user. In this mode connections are only accepted from the loopback " \
    "interface. If you want to connect from external computers to Redis you may adopt one of the following " \
    "solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the " \
    "loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE " \
    "Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change " \
    "permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration " \
    "file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started " \
    "the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an " \
    "authentication password for the default user. NOTE: You only need to do one of the above things in order " \
    "for the server to start accepting connections from the outside.\r\n"

#define ADMISSION_FULL "-ERR max number of clients reached\r\n"

static bool admission_is_local(const char *ip)
{
    return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 || strncmp(ip, "::ffff:127.", 11) == 0;
}

const char *admission_refusal(const char *ip, size_t clients, size_t max_clients, bool protected_mode,
                              bool has_password)
{
    if (clients >= max_clients) {
        admission_rejected++;
        return ADMISSION_FULL;
    }
    admission_accepted++;   /* a protected-mode refusal too, as Redis counts it */
    if (protected_mode && !has_password && !admission_is_local(ip))
        return ADMISSION_DENIED;
    return NULL;
}

/* Like Redis, keep 32 descriptors spare for listeners and files, and
 * never serve more clients than the process may open: past that, accept()
 * would fail with EMFILE and leave the listener readable forever. */
size_t admission_fit_max_clients(size_t wanted)
{
    struct rlimit limit;
    size_t max = wanted;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
        limit.rlim_cur < max + ADMISSION_RESERVED_FDS) {
        /* Ask for more first, as Redis does: up to the hard limit. */
        rlim_t need = (rlim_t)(max + ADMISSION_RESERVED_FDS);
        struct rlimit raised = {need, limit.rlim_max};
        if (limit.rlim_max != RLIM_INFINITY && need > limit.rlim_max)
            raised.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
        if (limit.rlim_cur < max + ADMISSION_RESERVED_FDS)
            max = limit.rlim_cur > ADMISSION_RESERVED_FDS ? limit.rlim_cur - ADMISSION_RESERVED_FDS : 1;
    }
    if (max < wanted)
        log_write(LOG_WARNING, "The open files limit (%llu) allows only %zu of the %zu clients of maxclients",
                  (unsigned long long)limit.rlim_cur, max, wanted);
    return max;
}

long long admission_connections(void)
{
    return admission_accepted;
}

long long admission_rejections(void)
{
    return admission_rejected;
}

void admission_reset_stats(void)
{
    admission_accepted = admission_rejected = 0;
}
