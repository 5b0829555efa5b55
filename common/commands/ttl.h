/* ttl: what the expiry commands share with other families (stage 3).
 *
 * SET's EX/PX/EXAT/PXAT, and in Part II SETEX, PSETEX and GETEX, turn a
 * time given by the client into the absolute Unix time in milliseconds at
 * which the key dies, with the same checks and the same error.
 *
 *     long long when;
 *     if (!ttl_absolute_time(c, 2, true, true, "setex", &when))
 *         return;                      // the error was sent
 */
#ifndef TTL_H
#define TTL_H

#include <stdbool.h>

#include "server/client.h"

/* argv[i] in seconds (or ms), relative to now (or absolute), as the time
 * at which a key dies. Not an integer, not positive, or past the end of a
 * long long once in milliseconds: the error is sent (naming command
 * `name`) and false returned. */
bool ttl_absolute_time(client *c, int i, bool seconds, bool relative, const char *name, long long *when);

#endif
