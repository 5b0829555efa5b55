/* aof-check: is an append-only file sound, and if not, where does it go
 * wrong? (stage 5; the workshop's redis-check-aof)
 *
 *     build/aof-check appendonly.aof          # exit 0 if every byte is a command
 *     build/aof-check --fix appendonly.aof    # cut it back to the last good command
 *
 * It reads the file with the same code the server replays it with
 * (aof_file.c), without running anything. Like redis-check-aof, --fix
 * asks before it cuts: what it cuts is gone. */
#include <stdio.h>
#include <string.h>

#include "persist/aof_file.h"

static int aof_check_usage(const char *name)
{
    fprintf(stderr, "Usage: %s [--fix] FILE\n", name);
    return 2;
}

static void aof_check_report(const char *path, const aof_read_result *r)
{
    printf("AOF analyzed: filename=%s, size=%zu, ok_up_to=%zu, commands=%lld, diff=%zu\n", path, r->size,
           r->valid_bytes, r->commands, r->size - r->valid_bytes);
}

static bool aof_check_confirm(void)
{
    char answer[16];
    printf("Continue? [y/N]: ");
    fflush(stdout);
    return fgets(answer, sizeof(answer), stdin) != NULL && (answer[0] == 'y' || answer[0] == 'Y');
}

static int aof_check_fix(const char *path, const aof_read_result *r)
{
    char err[AOF_ERR_LEN];
    printf("This will shrink the AOF %s from %zu bytes to %zu bytes, keeping its first %lld commands\n", path,
           r->size, r->valid_bytes, r->commands);
    if (!aof_check_confirm()) {
        printf("Aborted: the file is unchanged.\n");
        return 1;
    }
    if (!aof_file_truncate(path, r->valid_bytes, err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("Successfully truncated AOF %s\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    bool fix = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fix") == 0)
            fix = true;
        else if (path == NULL)
            path = argv[i];
        else
            return aof_check_usage(argv[0]);
    }
    if (path == NULL)
        return aof_check_usage(argv[0]);
    aof_read_result r = aof_file_read(path, NULL, NULL);
    switch (r.status) {
    case AOF_READ_OK:
        aof_check_report(path, &r);
        printf("AOF %s is valid\n", path);
        return 0;
    case AOF_READ_MISSING:
    case AOF_READ_FAILED:
        fprintf(stderr, "%s\n", r.error);
        return 1;
    case AOF_READ_TRUNCATED:
    case AOF_READ_BAD:
        aof_check_report(path, &r);
        printf("AOF %s is not valid at byte offset %zu: %s\n", path, r.valid_bytes, r.error);
        if (r.status == AOF_READ_BAD)
            printf("This is damage before the end of the file: whatever follows offset %zu is lost by a fix.\n",
                   r.valid_bytes);
        if (!fix) {
            printf("Use the --fix option to try fixing it.\n");
            return 1;
        }
        return aof_check_fix(path, &r);
    }
    return 1;
}
