/* seed_fences: the exec mode's pure checks (stage 6).
 *
 * Stage 6's exec mode runs what a client sends; these are the fences that
 * need no process, socket or clock, kept apart so the unit tests reach
 * them and so a reader of seed_exec.c can take them as given. */
#include "seed_fences.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

int seed_split_line(char *line, char **argv, int max, char *err)
{
    int argc = 0;
    char *in = line, *out = line;   /* a word is rebuilt in place, quotes removed */
    for (;;) {
        while (*in == ' ' || *in == '\t')
            in++;
        if (*in == '\0')
            return argc;
        if (argc == max) {
            snprintf(err, SEED_ERR_LEN, "too many words: at most %d", max);
            return -1;
        }
        argv[argc++] = out;
        while (*in != '\0' && *in != ' ' && *in != '\t') {
            if (*in == '\'' || *in == '"') {
                char quote = *in++;
                char *end = strchr(in, quote);
                if (end == NULL) {
                    snprintf(err, SEED_ERR_LEN, "unclosed %s quote", quote == '"' ? "double" : "single");
                    return -1;
                }
                memmove(out, in, (size_t)(end - in));
                out += end - in;
                in = end + 1;
            } else {
                *out++ = *in++;
            }
        }
        /* `out` never passes `in`, so this NUL lands on a byte already read. */
        if (*in != '\0')
            in++;
        *out++ = '\0';
    }
}

bool seed_is_allowed(const char *name, const char *allowlist)
{
    size_t name_len = strlen(name);
    const char *p = allowlist;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == name_len && name_len > 0 && memcmp(p, name, len) == 0)
            return true;
        if (p[len] == '\0')
            return false;
        p += len + 1;
    }
}

bool seed_is_loopback(const char *addr)
{
    struct in_addr in4;
    struct in6_addr in6;
    if (inet_pton(AF_INET, addr, &in4) == 1)
        return (ntohl(in4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &in6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&in6))
            return true;
        return IN6_IS_ADDR_V4MAPPED(&in6) && in6.s6_addr[12] == 127;
    }
    return false;   /* a name (localhost) could resolve to anything: refused */
}
