/* tmpdir: a fresh directory for a test that writes files, removed after.
 *
 * Criterion runs every test in a process of its own, so one directory per
 * process is enough: tmpdir_make() creates /tmp/<name>.XXXXXX, tmpdir_enter()
 * makes it the working directory (for modules that write relative names,
 * such as the append-only file), tmpdir_leave() goes back to where the test
 * was, and tmpdir_remove() goes back too and deletes the directory with the
 * files in it. Tests only put plain files there, so one level of unlink()
 * is enough.
 *
 * The functions report failure (false, with errno set) rather than assert,
 * so that the fuzz targets, which have no Criterion, can use them too. A
 * test suite asserts in its own fixture:
 *
 *     static void make_dir(void)
 *     {
 *         cr_assert(tmpdir_make("test_x"), "mkdtemp: %s", strerror(errno));
 *     }
 *     TestSuite(x, .init = make_dir, .fini = tmpdir_remove);
 *
 * Static inline functions in a header, not a module of the library: each
 * test is a program of its own, and this is test code only. */
#ifndef TMPDIR_H
#define TMPDIR_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TMPDIR_PATH_LEN 64

/* The directory's path, "" before tmpdir_make() and after tmpdir_remove().
 * A static inside a function rather than a variable in this header, so
 * that a file using only part of the header compiles without warnings. */
static inline char *tmpdir_path(void)
{
    static char path[TMPDIR_PATH_LEN];
    return path;
}

/* The working directory before tmpdir_enter(), "" if it was never called. */
static inline char *tmpdir_home(void)
{
    static char home[PATH_MAX];
    return home;
}

/* Create <parent>/<name>.XXXXXX (name: a few letters, such as the test
 * file's). */
static inline bool tmpdir_make_in(const char *parent, const char *name)
{
    snprintf(tmpdir_path(), TMPDIR_PATH_LEN, "%s/%s.XXXXXX", parent, name);
    return mkdtemp(tmpdir_path()) != NULL;
}

/* Create /tmp/<name>.XXXXXX. */
static inline bool tmpdir_make(const char *name)
{
    return tmpdir_make_in("/tmp", name);
}

/* Create <name>.XXXXXX in memory (/dev/shm) where the machine has it,
 * else in /tmp: for the fuzz targets, which fsync thousands of times a
 * second. */
static inline bool tmpdir_make_in_memory(const char *name)
{
    DIR *shm = opendir("/dev/shm");
    if (shm == NULL)
        return tmpdir_make(name);
    closedir(shm);
    return tmpdir_make_in("/dev/shm", name);
}

/* Work inside the directory; tmpdir_leave() or tmpdir_remove() goes back. */
static inline bool tmpdir_enter(void)
{
    return getcwd(tmpdir_home(), PATH_MAX) != NULL && chdir(tmpdir_path()) == 0;
}

/* Back to where the test was before tmpdir_enter(); true if it never entered. */
static inline bool tmpdir_leave(void)
{
    if (tmpdir_home()[0] == '\0')
        return true;
    if (chdir(tmpdir_home()) != 0)
        return false;
    tmpdir_home()[0] = '\0';
    return true;
}

/* The full path of `name` in the directory. One static buffer: the next
 * call overwrites it, so copy it to keep two paths at once. */
static inline const char *tmpdir_file(const char *name)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", tmpdir_path(), name);
    return path;
}

/* Back to where the test was, then the files and the directory are
 * deleted. Safe to call twice, or without tmpdir_make(). */
static inline void tmpdir_remove(void)
{
    tmpdir_leave();
    if (tmpdir_path()[0] == '\0')
        return;
    DIR *dir = opendir(tmpdir_path());
    if (dir != NULL) {
        for (struct dirent *e; (e = readdir(dir)) != NULL;) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlink(tmpdir_file(e->d_name));
        }
        closedir(dir);
    }
    rmdir(tmpdir_path());
    tmpdir_path()[0] = '\0';
}

#endif
