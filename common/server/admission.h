/* admission: who may connect (stage 1; its parameters from stage 6).
 *
 * Before a connection becomes a client, two rules of Redis's decide
 * whether it is served: no more than maxclients at once (past that the
 * newcomer is told so and hung up on, rather than left waiting), and
 * protected mode (with no password set, only clients on this machine).
 * The rules are here, apart from the client itself, so that each can be
 * read, and tested, on its own.
 *
 *     const char *no = admission_refusal(ip, client_count(), config.maxclients, ...);
 *     if (no != NULL) { write(fd, no, strlen(no)); close(fd); }
 *
 * Called under the server lock: it keeps INFO's connection counts. The
 * limits themselves are parameters (config.maxclients ...), passed in. */
#ifndef ADMISSION_H
#define ADMISSION_H

#include <stdbool.h>
#include <stddef.h>

/* The reply to send before hanging up, or NULL to let the client in. */
const char *admission_refusal(const char *ip, size_t clients, size_t max_clients, bool protected_mode,
                              bool has_password);
/* maxclients as far as the open-files limit allows, raising that limit if
 * it can; returns what it settled on (at start, and CONFIG SET maxclients). */
size_t admission_fit_max_clients(size_t wanted);
long long admission_connections(void);     /* INFO's total_connections_received */
long long admission_rejections(void);      /* INFO's rejected_connections */
void admission_reset_stats(void);

#endif
