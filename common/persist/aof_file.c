/* aof_file: reading a file of RESP commands (stage 5).
 *
 * The file is mapped into memory and parsed in place: the parser hands
 * out arguments that point into the mapping, so replaying a million
 * commands copies no argument bytes on the way to the commands. */
#include "persist/aof_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/resp.h"

static aof_read_result aof_file_result(aof_read_status status, size_t size, size_t valid)
{
    aof_read_result r;
    memset(&r, 0, sizeof(r));
    r.status = status;
    r.size = size;
    r.valid_bytes = valid;
    return r;
}

/* A client's parser takes the two bytes after an argument on trust, as
 * Redis's does. A file is checked more closely: a flipped bit there is
 * damage, and better reported than replayed. */
static bool aof_file_crlf_ok(const resp_parser *p, aof_read_result *r)
{
    for (int i = 0; i < p->argc; i++) {
        const char *end = p->argv[i] + p->argvlen[i];
        if (end[0] != '\r' || end[1] != '\n') {
            snprintf(r->error, sizeof(r->error), "expected \\r\\n after argument %d, got %02x%02x", i + 1,
                     (unsigned char)end[0], (unsigned char)end[1]);
            return false;
        }
    }
    return true;
}

/* The parser, like Redis's, stops looking for a line's end at a NUL byte
 * (a client's buffer is a C string), and then says "incomplete". At the
 * end of a file that would look like a cut command, and repairing it
 * would throw away everything after the NUL. A length line has no
 * business holding a NUL: that is damage. (While the parser waits for an
 * argument's bytes instead, a NUL among them is just data.) */
static bool aof_file_nul_in_line(const resp_parser *p, const char *cmd, size_t len)
{
    return p->bulk_len < 0 && memchr(cmd + p->scan, '\0', len - p->scan) != NULL;
}

static bool aof_file_is(const resp_parser *p, const char *word, size_t len)
{
    return p->argc == 1 && p->argvlen[0] == len && strncasecmp(p->argv[0], word, len) == 0;
}

/* A transaction (Part II) is written as MULTI, its commands, EXEC. A file
 * that ends between the two was cut while the transaction was being
 * written, and none of it was acknowledged: the file is only valid up to
 * its MULTI, so that a repair drops it whole (as Redis does), and the
 * commands read since were queued, never run. */
static void aof_file_end_inside_multi(aof_read_result *r, size_t multi_at)
{
    if (r->status == AOF_READ_OK || r->status == AOF_READ_TRUNCATED) {
        r->status = AOF_READ_TRUNCATED;
        snprintf(r->error, sizeof(r->error), "the file ends inside a transaction (MULTI without EXEC)");
        r->valid_bytes = multi_at;
    }
}

/* Parse and run every command of the mapped bytes. */
static void aof_file_parse(const char *bytes, aof_read_result *r, aof_command_fn *fn, void *data)
{
    resp_parser p;
    resp_parser_init(&p);
    size_t off = 0;
    bool in_multi = false;
    size_t multi_at = 0;
    while (off < r->size) {
        /* Only clients type inline commands; a file holds arrays. */
        if (bytes[off] != '*') {
            r->status = AOF_READ_BAD;
            snprintf(r->error, sizeof(r->error), "expected '*' at the start of a command, found byte 0x%02x",
                     (unsigned char)bytes[off]);
            break;
        }
        resp_status st = resp_parse(&p, bytes + off, r->size - off);
        if (st == RESP_INCOMPLETE && aof_file_nul_in_line(&p, bytes + off, r->size - off)) {
            r->status = AOF_READ_BAD;
            snprintf(r->error, sizeof(r->error), "a NUL byte in a length line");
            break;
        }
        if (st == RESP_INCOMPLETE) {
            r->status = AOF_READ_TRUNCATED;
            snprintf(r->error, sizeof(r->error), "the last command is incomplete");
            break;
        }
        if (st == RESP_ERROR) {
            r->status = AOF_READ_BAD;
            snprintf(r->error, sizeof(r->error), "%s", p.error);
            break;
        }
        if (!aof_file_crlf_ok(&p, r)) {
            r->status = AOF_READ_BAD;
            break;
        }
        if (aof_file_is(&p, "multi", 5)) {
            in_multi = true;
            multi_at = off;
        } else if (aof_file_is(&p, "exec", 4)) {
            in_multi = false;
        }
        if (p.argc > 0 && fn != NULL && !fn(data, p.argc, p.argv, p.argvlen, r->error)) {
            r->status = AOF_READ_FAILED;
            break;
        }
        off += p.consumed;
        r->commands++;
    }
    r->valid_bytes = off;
    if (in_multi)
        aof_file_end_inside_multi(r, multi_at);
    resp_parser_free(&p);
}

aof_read_result aof_file_read_bytes(const char *bytes, size_t size, aof_command_fn *fn, void *data)
{
    aof_read_result r = aof_file_result(AOF_READ_OK, size, 0);
    aof_file_parse(bytes, &r, fn, data);
    return r;
}

aof_read_result aof_file_read(const char *path, aof_command_fn *fn, void *data)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        aof_read_result r = aof_file_result(errno == ENOENT ? AOF_READ_MISSING : AOF_READ_FAILED, 0, 0);
        snprintf(r.error, sizeof(r.error), "cannot open %s: %s", path, strerror(errno));
        return r;
    }
    struct stat st;
    if (fstat(fd, &st) == -1) {
        aof_read_result r = aof_file_result(AOF_READ_FAILED, 0, 0);
        snprintf(r.error, sizeof(r.error), "cannot stat %s: %s", path, strerror(errno));
        close(fd);
        return r;
    }
    aof_read_result r = aof_file_result(AOF_READ_OK, (size_t)st.st_size, 0);
    if (r.size == 0) {
        close(fd);
        return r;
    }
    const char *bytes = mmap(NULL, r.size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (bytes == MAP_FAILED) {
        r.status = AOF_READ_FAILED;
        snprintf(r.error, sizeof(r.error), "cannot map %s: %s", path, strerror(errno));
        return r;
    }
    madvise((void *)bytes, r.size, MADV_SEQUENTIAL);
    aof_file_parse(bytes, &r, fn, data);
    munmap((void *)bytes, r.size);
    return r;
}

/* Cut the file at `size` and make the cut durable before going on. */
bool aof_file_truncate(const char *path, size_t size, char *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd == -1 || ftruncate(fd, (off_t)size) == -1 || fsync(fd) == -1) {
        snprintf(err, AOF_ERR_LEN, "cannot truncate %s: %s", path, strerror(errno));
        if (fd != -1)
            close(fd);
        return false;
    }
    close(fd);
    return true;
}
