/* Fuzz target: loading the append-only file (stage 5; SELECT and the
 * databases of stage 6).
 *
 * A damaged file must be told apart from a truncated one and never crash
 * the server that loads it. Each input is read twice:
 *
 * 1. from memory, by aof_file_read_bytes(), from a buffer of exactly the
 *    input's size, so that ASan catches a read one byte past the end. The
 *    result must describe the input consistently: the valid prefix is no
 *    longer than the input, and a file read as fine has every byte
 *    accounted for;
 * 2. as the server loads it: written to appendonly.aof and handed to
 *    aof_start(), which replays it through the dispatcher (replay.c) into
 *    config.databases keyspaces, following its SELECTs, and cuts off a
 *    torn last command. Afterwards the file must be the input, or, if the
 *    start cut it, the valid prefix the first reading found; a file the
 *    first reading found damaged must not start.
 *
 * Every parameter group is offered, as in stage 6; the keyspaces persist
 * across inputs and are flushed when they grow large. The file lives in a
 * directory of the target's own, in memory (aof_stop() fsyncs it), which
 * each input works inside; libFuzzer, whose corpus paths are relative,
 * gets its working directory back after. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/tmpdir.h"
#include "base/log.h"
#include "base/mem.h"
#include "commands/commands.h"
#include "data/db.h"
#include "data/dict.h"
#include "persist/aof.h"
#include "persist/aof_file.h"
#include "server/command.h"
#include "server/config.h"
#include "server/replay.h"

#define FUZZ_MAX_KEYS 10000
#define FUZZ_MAX_INPUT 65536    /* far above make fuzz's -max_len */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db **dbs;
static int db_count;

static void fuzz_make_dir(void)
{
    if (!tmpdir_make_in_memory("fuzz_aof")) {
        fprintf(stderr, "fuzz_aof: mkdtemp: %s\n", strerror(errno));
        abort();
    }
    atexit(tmpdir_remove);
}

static void fuzz_setup(void)
{
    uint8_t seed[16] = {16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    dict_seed(seed);
    log_set_level((enum log_level)(LOG_WARNING + 1));      /* every load and repair is logged */
    config_init();
    for (int g = CONFIG_GROUP_BASE; g <= CONFIG_GROUP_FILE; g++)
        config_offer((enum config_group)g);
    fuzz_make_dir();
    db_count = (int)config.databases;
    dbs = mem_alloc(sizeof(db *) * (size_t)db_count);
    for (int i = 0; i < db_count; i++) {
        dbs[i] = db_create();
        dbs[i]->id = i;
    }
    command_register(connection_commands);
    command_register(string_commands);
    command_register(key_commands);
    command_register(ttl_commands);
    command_register(list_commands);
}

static void fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
    FILE *f = fopen(name, "wb");
    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
}

/* The file's bytes (at most FUZZ_MAX_INPUT) into out; their number. */
static size_t fuzz_read_file(const char *name, uint8_t *out)
{
    FILE *f = fopen(name, "rb");
    if (f == NULL)
        abort();
    size_t n = fread(out, 1, FUZZ_MAX_INPUT, f);
    fclose(f);
    return n;
}

/* aof_start() as server_replay_aof() calls it, with appendonly yes. */
static bool fuzz_start(void)
{
    aof_config aof = {true, (enum aof_fsync)config.appendfsync, config.appendfilename.text};
    char err[AOF_ERR_LEN];
    replay r;
    replay_init(&r);
    bool started = aof_start(dbs, db_count, &aof, replay_command, &r, err);
    replay_free(&r);
    return started;
}

/* What aof_start() left in the file, against what the first reading of
 * the input found. */
static void fuzz_check_file(const uint8_t *data, size_t size, const aof_read_result *read, bool started)
{
    static uint8_t file[FUZZ_MAX_INPUT];
    size_t n = fuzz_read_file(config.appendfilename.text, file);
    bool cut = started && read->status == AOF_READ_TRUNCATED;
    size_t expected = cut ? read->valid_bytes : size;
    if (n != expected || (n > 0 && memcmp(file, data, n) != 0))
        abort();                                    /* the file was changed, or cut in the wrong place */
    if (started && read->status == AOF_READ_BAD)
        abort();                                    /* a damaged file was loaded */
}

static void fuzz_flush_if_large(void)
{
    long long keys = 0;
    for (int i = 0; i < db_count; i++)
        keys += (long long)db_size(dbs[i]);
    if (keys > FUZZ_MAX_KEYS) {
        for (int i = 0; i < db_count; i++)
            db_flush(dbs[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dbs == NULL)
        fuzz_setup();
    if (size > FUZZ_MAX_INPUT)
        return 0;
    aof_read_result r = aof_file_read_bytes((const char *)data, size, NULL, NULL);
    if (r.valid_bytes > size || (r.status == AOF_READ_OK && r.valid_bytes != size))
        abort();
    if (!tmpdir_enter())
        abort();
    fuzz_write_file(config.appendfilename.text, data, size);
    bool started = fuzz_start();
    fuzz_check_file(data, size, &r, started);
    aof_stop();
    if (!tmpdir_leave())
        abort();
    fuzz_flush_if_large();
    return 0;
}
