/* log: server log lines in Redis's format (stage 1).
 *
 *     12345:M 25 Nov 2026 07:47:00.123 * Ready to accept connections tcp
 *
 * pid, role (M: the server itself), time to the millisecond, a level mark
 * ('.' debug, '-' verbose, '*' notice, '#' warning) and the message. Tools
 * and people that read Redis logs read these too. */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_DEBUG, LOG_VERBOSE, LOG_NOTICE, LOG_WARNING };

void log_set_level(enum log_level level);
int log_set_file(const char *path);     /* "" for stderr; -1 if it cannot be opened (stage 6) */
void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
