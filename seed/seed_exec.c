/* seed_exec: -e true, a client's command line run for it (stage 6).
 *
 * Stage 6 brings back the first workshop server's exec mode: a client
 * sends "date\n" and gets the program's output back. That is a remote
 * shell, the most dangerous thing a server can offer, so it is fenced in
 * on every side; each fence has its reason next to the code that builds
 * it:
 *
 *   - off unless -e true is given, and only over TCP on a loopback address;
 *   - no shell: the line is split into words here and the program started
 *     with exec, so `echo $HOME; ls` prints those characters;
 *   - only the programs of an allowlist (--exec-allow), found in fixed
 *     directories, with an environment holding only PATH;
 *   - a time limit (--exec-time-limit) after which the command's whole
 *     process group is killed, and an output cap (--exec-max-output);
 *   - at most SEED_EXEC_MAX_RUNNING commands at once, one per client;
 *   - a warning in the log when the server runs as root.
 *
 * A command never blocks the loop: it runs in a child process whose
 * output comes back through a pipe the loop watches like any socket, and
 * its exit is noticed through SIGCHLD (seed_server.c's self-pipe calls
 * seed_reap_jobs). The client's connection itself is seed_client.c's, and
 * the pure fences (words, allowlist, loopback) are seed_fences.c's. */
#include "seed_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "io/loop.h"
#include "seed_fences.h"
#include "seed_state.h"

#define SEED_EXEC_MAX_RUNNING 16
#define SEED_EXEC_PATH "/usr/local/bin:/usr/bin:/bin"

/* One command of the exec mode, from start until its process is reaped. */
struct seed_job {
    pid_t pid;                  /* also its process group's id */
    int out_fd;                 /* the read end of its stdout+stderr pipe; -1 once closed */
    long long timer_id;         /* its time limit; -1 once fired or cancelled */
    long long started_ms;
    size_t output;              /* bytes passed on to the client */
    char last_byte;             /* the last of them, to end an unfinished line */
    bool exited;                /* reaped: the pid is no longer ours */
    int status;                 /* waitpid's status, once exited */
    bool timed_out;             /* killed by the time limit */
    bool cut;                   /* killed at the output cap */
    char name[64];              /* its program, for messages */
    seed_client *client;        /* NULL once its client has gone */
    struct seed_job *prev, *next;
};

static seed_job *seed_jobs;     /* running or not yet reaped */
static int seed_running;        /* length of that list */

static int seed_exec_continue(seed_client *c);     /* a client's next lines: below */

/* ---------------- Exec: running a client's command ----------------
 *
 * A line ("echo hi\n") becomes words, the first word must be on the
 * allowlist, and the program is started with posix_spawn(): fork and exec
 * in one call, done by the C library with the usual care (vfork-style, so
 * even a big server process is not copied), with:
 *   - its own process group, so the time limit kills it and anything it
 *     started in one kill(-pgid);
 *   - stdin /dev/null, stdout and stderr into one pipe, and no other
 *     descriptor of ours (closefrom 3): no client sockets, no listeners;
 *   - default signal handling and an empty signal mask;
 *   - an environment of PATH alone: nothing of the server's environment
 *     leaks out, and no variable (LD_PRELOAD ...) changes what runs.
 * The program's path is found here, in fixed directories, not through the
 * server's own PATH, which might hold "." or a writable directory. */

static void seed_reply(seed_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error line for the client ("ERR ...\n"), also logged. */
static void seed_reply(seed_client *c, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    buf_append(&c->out, "ERR ", 4);
    buf_append(&c->out, text, strlen(text));
    buf_append(&c->out, "\n", 1);
    log_write(LOG_NOTICE, "Exec for %s: %s", c->peer, text);
}

/* A client's words in the log: control characters could forge log lines. */
static void seed_printable(char *out, size_t size, const char *in, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 4 < size; i++)
        out[n++] = (unsigned char)in[i] >= 0x20 && (unsigned char)in[i] < 0x7f ? in[i] : '?';
    if (n + 4 >= size && len > n) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

static bool seed_find_program(const char *name, char *path, size_t size)
{
    static const char *const dirs[] = {"/usr/local/bin", "/usr/bin", "/bin"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        struct stat st;
        snprintf(path, size, "%s/%s", dirs[i], name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
            return true;
    }
    return false;
}

/* What the child starts with: stdout and stderr into the pipe, stdin
 * /dev/null, no other descriptor of ours, default signals, an empty mask
 * and a process group of its own. */
static void seed_spawn_setup(posix_spawn_file_actions_t *actions, posix_spawnattr_t *attr, int out_fd)
{
    posix_spawn_file_actions_init(actions);
    posix_spawnattr_init(attr);
    /* dup2 before the open: should out_fd be 0 (stdin was closed), it is
     * copied to 1 and 2 before /dev/null takes its place. */
    posix_spawn_file_actions_adddup2(actions, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(actions, out_fd, STDERR_FILENO);
    posix_spawn_file_actions_addopen(actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(actions, 3);
    sigset_t defaults, none;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);  /* ignored here: `yes | head` needs it back */
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGCHLD);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(attr, &defaults);
    posix_spawnattr_setsigmask(attr, &none);
    posix_spawnattr_setpgroup(attr, 0);
    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

static int seed_spawn(const char *path, char **argv, pid_t *pid, int *out_fd, char *err)
{
    static char path_env[] = "PATH=" SEED_EXEC_PATH;
    static char *env[] = {path_env, NULL};
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == -1) {
        snprintf(err, SEED_ERR_LEN, "pipe: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    seed_spawn_setup(&actions, &attr, fds[1]);
    int rc = posix_spawn(pid, path, &actions, &attr, argv, env);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(fds[1]);      /* the child's copy is all that holds the pipe open now */
    if (rc != 0) {
        close(fds[0]);
        snprintf(err, SEED_ERR_LEN, "%s", strerror(rc));
        return -1;
    }
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    *out_fd = fds[0];
    return 0;
}

static void seed_job_close_output(seed_job *j)
{
    if (j->out_fd == -1)
        return;
    loop_unwatch(seed.loop, j->out_fd);
    close(j->out_fd);
    j->out_fd = -1;
}

/* Kill the job's whole process group. Only while its leader is not yet
 * reaped: until then the pid, and so the group id, cannot be given to
 * another process, so the signal cannot hit a stranger. */
static void seed_job_kill(seed_job *j)
{
    if (!j->exited)
        kill(-j->pid, SIGKILL);
}

static void seed_job_free(seed_job *j)
{
    seed_job_close_output(j);
    if (j->timer_id != -1)
        loop_del_timer(seed.loop, j->timer_id);
    if (j->prev != NULL)
        j->prev->next = j->next;
    else
        seed_jobs = j->next;
    if (j->next != NULL)
        j->next->prev = j->prev;
    seed_running--;
    mem_free(j);
}

/* Its client is gone: nobody will read the output, so stop the command.
 * The job stays listed until its process is reaped. */
static void seed_job_abandon(seed_job *j)
{
    if (!j->exited && seed.stopping)
        log_write(LOG_NOTICE, "Command '%s' (pid %d) killed: the server is stopping", j->name, (int)j->pid);
    else if (!j->exited)
        log_write(LOG_NOTICE, "Command '%s' (pid %d) killed: its client %s has gone", j->name, (int)j->pid,
                  j->client->peer);
    j->client->job = NULL;
    j->client = NULL;
    seed_job_kill(j);
    seed_job_close_output(j);
    if (j->exited)
        seed_job_free(j);
}

/* When the output has ended and the process is reaped, the job is over:
 * tell the client if it was killed, then go on with its next line. */
static void seed_job_maybe_finish(seed_job *j)
{
    if (j->out_fd != -1 || !j->exited)
        return;
    seed_client *c = j->client;
    long long ms = loop_now_ms() - j->started_ms;
    if (WIFEXITED(j->status))
        log_write(LOG_VERBOSE, "Command '%s' (pid %d) exited with status %d after %lld ms", j->name,
                  (int)j->pid, WEXITSTATUS(j->status), ms);
    if (c != NULL && (j->timed_out || j->cut) && j->output > 0 && j->last_byte != '\n')
        buf_append(&c->out, "\n", 1);
    if (c != NULL && j->timed_out)
        seed_reply(c, "'%s' was killed: it ran past the time limit of %lld ms (--exec-time-limit)", j->name,
                   seed.opts.exec_time_limit_ms);
    else if (c != NULL && j->cut)
        seed_reply(c, "'%s' was killed: its output reached the cap of %lld bytes (--exec-max-output)",
                   j->name, seed.opts.exec_max_output);
    if (c != NULL)
        c->job = NULL;
    seed_job_free(j);
    if (c != NULL)
        seed_exec_continue(c);
}

static void seed_job_on_output(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)ready;
    seed_job *j = data;
    char chunk[SEED_READ_CHUNK];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {   /* every writer has closed it: the command is ending */
        seed_job_close_output(j);
        seed_job_maybe_finish(j);
        return;
    }
    seed_client *c = j->client;     /* set: an abandoned job's pipe is closed */
    size_t room = (size_t)seed.opts.exec_max_output - j->output;
    size_t take = (size_t)n < room ? (size_t)n : room;
    buf_append(&c->out, chunk, take);
    j->output += take;
    if (take > 0)
        j->last_byte = chunk[take - 1];
    if (take < (size_t)n) {
        j->cut = true;
        log_write(LOG_NOTICE, "Command '%s' (pid %d) of %s cut at %zu bytes of output", j->name, (int)j->pid,
                  c->peer, j->output);
        seed_job_kill(j);
        seed_job_close_output(j);
        if (j->exited) {
            seed_job_maybe_finish(j);   /* may free the job and the client: nothing after it */
            return;
        }
    }
    seed_client_flush(c);   /* last: it may free the client (and abandon the job) */
}

static long long seed_job_on_time_limit(loop *l, long long id, void *data)
{
    (void)l, (void)id;
    seed_job *j = data;
    j->timer_id = -1;
    j->timed_out = true;
    log_write(LOG_NOTICE, "Command '%s' (pid %d) killed: it ran past the time limit of %lld ms", j->name,
              (int)j->pid, seed.opts.exec_time_limit_ms);
    seed_job_kill(j);
    /* Stop reading too: a process that escaped the group could hold the
     * pipe open forever. What it wrote after the limit is not sent. */
    seed_job_close_output(j);
    seed_job_maybe_finish(j);
    return LOOP_TIMER_DONE;
}

/* SIGCHLD came: collect every job whose process has exited. waitid with
 * WNOWAIT first looks without reaping, so the rest of the group can be
 * killed while the group id is still surely this job's: a command may not
 * leave processes behind. */
void seed_reap_jobs(void)
{
    seed_job *next;
    for (seed_job *j = seed_jobs; j != NULL; j = next) {
        next = j->next;     /* a finishing job may start a new one: it goes in front */
        if (j->exited)
            continue;
        siginfo_t info;
        memset(&info, 0, sizeof(info));
        if (waitid(P_PID, (id_t)j->pid, &info, WEXITED | WNOHANG | WNOWAIT) == -1 || info.si_pid != j->pid)
            continue;
        kill(-j->pid, SIGKILL);
        if (waitpid(j->pid, &j->status, 0) != j->pid)   /* a zombie: no wait */
            continue;
        j->exited = true;
        seed_job_maybe_finish(j);   /* an abandoned job's pipe is closed: it is freed */
    }
}

/* A started command becomes a job: its output pipe is watched, its time
 * limit set, and its client waits for it. */
static void seed_job_start(seed_client *c, const char *name, pid_t pid, int out_fd)
{
    seed_job *j = mem_calloc(1, sizeof(*j));
    j->pid = pid;
    j->out_fd = out_fd;
    j->started_ms = loop_now_ms();
    snprintf(j->name, sizeof(j->name), "%s", name);
    j->client = c;
    j->next = seed_jobs;
    if (seed_jobs != NULL)
        seed_jobs->prev = j;
    seed_jobs = j;
    seed_running++;
    c->job = j;
    loop_watch(seed.loop, out_fd, LOOP_READABLE, seed_job_on_output, j);
    j->timer_id = loop_add_timer(seed.loop, seed.opts.exec_time_limit_ms, seed_job_on_time_limit, j);
}

/* The words of a line (argv NULL-terminated): run them if the program
 * passes every fence, or say which one stopped it. */
static void seed_exec_words(seed_client *c, char **argv, const char *shown)
{
    char name[64], path[PATH_MAX], err[SEED_ERR_LEN];
    seed_printable(name, sizeof(name), argv[0], strlen(argv[0]));
    if (!seed_is_allowed(argv[0], seed.opts.exec_allow)) {
        seed_reply(c, "'%s' is not allowed: this server runs only %s (--exec-allow)", name,
                   seed.opts.exec_allow);
        return;
    }
    if (seed_running >= SEED_EXEC_MAX_RUNNING) {
        seed_reply(c, "busy: %d commands are running already, try again", seed_running);
        return;
    }
    if (!seed_find_program(argv[0], path, sizeof(path))) {
        seed_reply(c, "'%s' was not found in %s", name, SEED_EXEC_PATH);
        return;
    }
    pid_t pid;
    int out_fd;
    if (seed_spawn(path, argv, &pid, &out_fd, err) == -1) {
        seed_reply(c, "could not run '%s': %s", name, err);
        return;
    }
    seed_job_start(c, name, pid, out_fd);
    log_write(LOG_NOTICE, "%s runs: %s (pid %d)", c->peer, shown, (int)pid);
}

/* One command line of a client: run it, or say why not. */
static void seed_exec_line(seed_client *c, char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (memchr(line, '\0', len) != NULL) {
        seed_reply(c, "the command line holds a NUL byte");
        return;
    }
    char shown[256], err[SEED_ERR_LEN];
    seed_printable(shown, sizeof(shown), line, len);
    char *argv[SEED_MAX_ARGS + 1];
    int argc = seed_split_line(line, argv, SEED_MAX_ARGS, err);
    if (argc == -1) {
        seed_reply(c, "%s in: %s", err, shown);
        return;
    }
    if (argc == 0)
        return;     /* a blank line: nothing to run */
    argv[argc] = NULL;
    seed_exec_words(c, argv, shown);
}

/* Run the client's complete lines, one command at a time, until one is
 * running or none is left; then write. Returns -1 if the client was freed. */
static int seed_exec_continue(seed_client *c)
{
    while (c->job == NULL && buf_length(&c->in) > 0) {
        char *data = buf_data(&c->in);
        size_t len = buf_length(&c->in);
        char *newline = memchr(data, '\n', len);
        size_t line_len = newline ? (size_t)(newline - data) : len;
        if (line_len > SEED_LINE_MAX) {
            seed_reply(c, "command line longer than %d bytes: closing the connection", SEED_LINE_MAX);
            buf_clear(&c->in);
            c->eof = true;
            break;
        }
        if (newline == NULL && !c->eof)
            break;      /* the rest of the line is still on its way */
        char line[SEED_LINE_MAX + 1];
        memcpy(line, data, line_len);
        line[line_len] = '\0';
        buf_consume(&c->in, newline ? line_len + 1 : line_len);
        seed_exec_line(c, line, line_len);
    }
    return seed_client_flush(c);
}

/* ---------------- The mode: what a client's bytes become ---------------- */

/* Bytes of command lines: kept until a whole line is there, then run. */
static int seed_exec_input(seed_client *c, const char *bytes, size_t len)
{
    buf_append(&c->in, bytes, len);
    return seed_exec_continue(c);
}

/* The client is being freed: a command it still waits for is killed. */
static void seed_exec_client_gone(seed_client *c)
{
    if (c->job != NULL)
        seed_job_abandon(c->job);
}

const seed_mode seed_exec_mode = {.on_input = seed_exec_input, .on_free = seed_exec_client_gone};

/* ---------------- Start and shutdown ---------------- */

/* The exec mode's fences that are checked once, at start. */
int seed_exec_start(char *err)
{
    /* Today the address is always 127.0.0.1; the check stands here so
     * that an address option added later cannot expose the exec mode. */
    if (!seed_is_loopback(SEED_BIND_ADDR)) {
        snprintf(err, SEED_ERR_LEN,
                 "Refusing to start -e on %s: not a loopback address, and -e lets anyone who can connect "
                 "run commands", SEED_BIND_ADDR);
        return -1;
    }
    if (geteuid() == 0)
        log_write(LOG_WARNING,
                  "WARNING: running as root: the commands clients run with -e run as root too. "
                  "Start the server as an unprivileged user.");
    log_write(LOG_NOTICE,
              "Exec mode: local clients may run %s (no shell; time limit %lld ms; output cap %lld bytes)",
              seed.opts.exec_allow, seed.opts.exec_time_limit_ms, seed.opts.exec_max_output);
    return 0;
}

/* Every command left is killed and reaped: after SIGKILL, waitpid
 * returns as soon as the kernel has torn the process down. */
void seed_kill_jobs(void)
{
    while (seed_jobs != NULL) {
        seed_job *j = seed_jobs;
        if (!j->exited) {
            seed_job_kill(j);
            waitpid(j->pid, &j->status, 0);
        }
        seed_job_free(j);
    }
}
