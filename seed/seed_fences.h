/* seed_fences: the exec mode's pure checks (stage 6).
 *
 * Stage 6's exec mode (-e true) runs the command line a client sends, and
 * these are three of its fences (seed_exec.c builds the rest): no shell
 * ever sees the line, only allowlisted programs run, and only on a
 * loopback address. Pure functions, public for the unit tests (seed.h
 * includes this header): nothing here reads, writes or allocates. */
#ifndef SEED_FENCES_H
#define SEED_FENCES_H

#include <stdbool.h>

#include "seed_options.h"

#define SEED_MAX_ARGS 32            /* words in one exec command line */

/* Splits a command line into words, in place: blanks separate words, and
 * '...' or "..." keep blanks inside one word. Nothing else is special: no
 * $variables, globs, ;, |, &, redirections, backslashes or ~, because no
 * shell ever sees the line. Returns the word count (0 for a blank line),
 * or -1 with err (SEED_ERR_LEN bytes) filled: an unclosed quote, more
 * than `max` words.
 *
 *     char line[] = "echo 'a b' $HOME;";   // argv: echo, a b, $HOME;
 *     int argc = seed_split_line(line, argv, SEED_MAX_ARGS, err);
 */
int seed_split_line(char *line, char **argv, int max, char *err);

/* True if `name` is one of the comma-separated names of `allowlist`. */
bool seed_is_allowed(const char *name, const char *allowlist);

/* True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z (numeric addresses only). */
bool seed_is_loopback(const char *addr);

#endif
