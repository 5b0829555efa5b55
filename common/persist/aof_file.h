/* aof_file: reading a file of RESP commands, for replay and for checking
 * (stage 5).
 *
 * An append-only file is nothing but requests, back to back, exactly as a
 * client would send them. Reading one is parsing it with the same RESP
 * parser the clients use, with one difference: the file may end in the
 * middle of a command (the server died while writing it). That case is
 * told apart from real damage, because it can be repaired by cutting the
 * file back to the last complete command, while damage in the middle
 * cannot be repaired without losing what follows it.
 *
 *     aof_read_result r = aof_file_read("appendonly.aof", run_one, ctx);
 *     if (r.status == AOF_READ_TRUNCATED)
 *         aof_file_truncate("appendonly.aof", r.valid_bytes);
 */
#ifndef AOF_FILE_H
#define AOF_FILE_H

#include <stdbool.h>
#include <stddef.h>

#define AOF_ERR_LEN 512

typedef enum aof_read_status {
    AOF_READ_OK,            /* every byte belongs to a complete command */
    AOF_READ_MISSING,       /* no such file: an empty dataset */
    AOF_READ_TRUNCATED,     /* ends inside a command: valid up to valid_bytes */
    AOF_READ_BAD,           /* bytes at valid_bytes are not a command */
    AOF_READ_FAILED,        /* could not read the file, or a command failed */
} aof_read_status;

typedef struct aof_read_result {
    aof_read_status status;
    size_t size;            /* bytes in the file */
    size_t valid_bytes;     /* bytes of complete, well-formed commands */
    long long commands;     /* commands read (and run) */
    char error[AOF_ERR_LEN];
} aof_read_result;

/* Called for each command in order; returns false (with err filled) to
 * stop the read. May be NULL to only check the file. */
typedef bool aof_command_fn(void *data, int argc, const char **argv, const size_t *argvlen, char *err);

aof_read_result aof_file_read(const char *path, aof_command_fn *fn, void *data);
aof_read_result aof_file_read_bytes(const char *bytes, size_t size, aof_command_fn *fn, void *data);
bool aof_file_truncate(const char *path, size_t size, char *err);

#endif
