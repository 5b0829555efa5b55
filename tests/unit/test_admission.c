/* Unit tests of admission: who may connect (the module is stage 1's; its
 * parameters, maxclients and protected-mode, come with stage 6).
 *
 * admission_refusal() decides from the peer's address, the number of
 * clients and three settings, so it is tested with plain strings; no socket
 * is opened. admission_fit_max_clients() reads and raises the process's
 * open-files limit (RLIMIT_NOFILE): those tests set the limit first, in
 * their own process (Criterion runs each test in one), where lowering it
 * harms no other test. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "server/admission.h"

#define FULL "-ERR max number of clients reached\r\n"
#define DENIED_START                                                                                   \
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password is " \
    "set for the default user. In this mode connections are only accepted from the loopback interface."
#define DENIED_END "for the server to start accepting connections from the outside.\r\n"

static void expect_counts(long long connections, long long rejections)
{
    cr_expect_eq(admission_connections(), connections, "%lld connections counted instead of %lld",
                 admission_connections(), connections);
    cr_expect_eq(admission_rejections(), rejections, "%lld rejections counted instead of %lld",
                 admission_rejections(), rejections);
}

/* ---------------- maxclients ---------------- */

Test(admission, a_client_below_maxclients_is_let_in_and_counted_as_a_connection)
{
    cr_expect_null(admission_refusal("127.0.0.1", 0, 10, true, false));
    cr_expect_null(admission_refusal("127.0.0.1", 9, 10, true, false), "the 10th client of 10 was refused");
    expect_counts(2, 0);
}

Test(admission, when_maxclients_is_reached_the_newcomer_is_told_so_and_counted_as_rejected)
{
    const char *no = admission_refusal("127.0.0.1", 10, 10, true, false);
    cr_assert_not_null(no, "an 11th client of 10 was let in");
    cr_expect_str_eq(no, FULL);
    cr_expect_str_eq(admission_refusal("127.0.0.1", 11, 10, false, true), FULL, "past the limit, too");
    expect_counts(0, 2);
}

/* Redis checks the count first: a remote newcomer to a full server hears
 * that it is full, and is not counted as a connection. */
Test(admission, a_full_server_refuses_a_remote_client_as_full_not_as_protected)
{
    cr_expect_str_eq(admission_refusal("10.0.0.1", 1, 1, true, false), FULL);
    expect_counts(0, 1);
}

Test(admission, reset_stats_forgets_both_counts)
{
    admission_refusal("127.0.0.1", 0, 1, false, false);
    admission_refusal("127.0.0.1", 1, 1, false, false);
    expect_counts(1, 1);
    admission_reset_stats();
    expect_counts(0, 0);
}

/* ---------------- Protected mode ---------------- */

#define MAXCLIENTS 10000        /* Redis's default: far from full */

Test(admission, protected_mode_without_a_password_refuses_a_remote_client_with_the_denied_text)
{
    const char *no = admission_refusal("10.0.0.1", 0, MAXCLIENTS, true, false);
    cr_assert_not_null(no, "a remote client was let in");
    cr_expect(strncmp(no, DENIED_START, strlen(DENIED_START)) == 0, "the refusal starts otherwise: %s", no);
    size_t len = strlen(no), end = strlen(DENIED_END);
    cr_expect(len > end && strcmp(no + len - end, DENIED_END) == 0, "the refusal ends otherwise: %s", no);
    cr_expect_eq(strstr(no, "\r\n"), no + len - 2, "the refusal is not one error line: %s", no);
    /* Redis counts it as a connection received, not as a rejection. */
    expect_counts(1, 0);
}

Test(admission, loopback_addresses_are_local_in_ipv4_ipv6_and_ipv4_mapped_form)
{
    const char *local[] = {"127.0.0.1", "127.0.1.1", "127.255.255.254", "::1", "::ffff:127.0.0.1", "::ffff:127.9.8.7"};
    for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
        cr_expect_null(admission_refusal(local[i], 0, MAXCLIENTS, true, false), "%s was refused", local[i]);
    expect_counts((long long)(sizeof(local) / sizeof(local[0])), 0);
}

Test(admission, other_addresses_are_not_local)
{
    const char *remote[] = {"10.0.0.1", "192.168.1.20", "128.0.0.1", "1127.0.0.1", "0.0.0.0", "::2",
                            "::", "fe80::1", "::ffff:10.0.0.1", "::ffff:128.0.0.1", "2001:db8::1"};
    for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
        const char *no = admission_refusal(remote[i], 0, MAXCLIENTS, true, false);
        cr_expect(no != NULL && strncmp(no, "-DENIED ", 8) == 0, "%s was let in or refused otherwise: %s",
                  remote[i], no == NULL ? "(let in)" : no);
    }
}

Test(admission, with_a_password_or_with_protected_mode_off_anyone_is_let_in)
{
    cr_expect_null(admission_refusal("10.0.0.1", 0, MAXCLIENTS, true, true), "protected mode, but a password");
    cr_expect_null(admission_refusal("10.0.0.1", 0, MAXCLIENTS, false, false), "no protected mode, no password");
    cr_expect_null(admission_refusal("10.0.0.1", 0, MAXCLIENTS, false, true), "no protected mode, a password");
    cr_expect_null(admission_refusal("2001:db8::1", 0, MAXCLIENTS, true, true), "an IPv6 client with a password set");
    expect_counts(4, 0);
}

/* ---------------- The open-files limit ---------------- */

/* Admission keeps 32 descriptors spare for listeners and files, as Redis
 * does (CONFIG_MIN_RESERVED_FDS). */
#define RESERVED 32

static void set_file_limit(rlim_t soft, rlim_t hard)
{
    struct rlimit limit = {soft, hard};
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &limit), 0, "setrlimit(%llu, %llu): %s", (unsigned long long)soft,
                 (unsigned long long)hard, strerror(errno));
}

static rlim_t soft_file_limit(void)
{
    struct rlimit limit;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &limit), 0, "getrlimit: %s", strerror(errno));
    return limit.rlim_cur;
}

Test(admission, maxclients_within_the_open_files_limit_is_kept_as_asked)
{
    set_file_limit(1000, 1000);
    cr_expect_eq(admission_fit_max_clients(500), 500);
    cr_expect_eq(soft_file_limit(), 1000, "the limit changed though it was high enough");
}

Test(admission, maxclients_raises_the_soft_limit_as_far_as_the_hard_one_allows)
{
    set_file_limit(100, 1000);
    cr_expect_eq(admission_fit_max_clients(500), 500);
    cr_expect_geq(soft_file_limit(), 500 + RESERVED, "the soft limit was not raised: %llu",
                  (unsigned long long)soft_file_limit());
}

Test(admission, maxclients_beyond_the_hard_limit_settles_on_what_fits_and_says_so, .init = cr_redirect_stderr)
{
    set_file_limit(100, 1000);
    cr_expect_eq(admission_fit_max_clients(10000), 1000 - RESERVED);
    cr_expect_eq(soft_file_limit(), 1000, "the soft limit was not raised to the hard one");
    fflush(stderr);
    char got[1024];
    size_t n = fread(got, 1, sizeof(got) - 1, cr_get_redirected_stderr());
    got[n] = '\0';
    cr_expect_not_null(strstr(got, "The open files limit (1000) allows only 968 of the 10000 clients of maxclients"),
                       "the log says: %s", got);
}

Test(admission, a_limit_below_the_reserve_still_leaves_one_client, .init = cr_redirect_stderr)
{
    set_file_limit(RESERVED, RESERVED);
    size_t max = admission_fit_max_clients(100);
    cr_expect_eq(max, 1);
    cr_expect_null(admission_refusal("127.0.0.1", 0, max, true, false), "the one client was refused");
    cr_expect_str_eq(admission_refusal("127.0.0.1", 1, max, true, false), FULL);
}

Test(admission, the_refusal_follows_the_last_maxclients_set)
{
    set_file_limit(1000, 1000);
    cr_expect_str_eq(admission_refusal("127.0.0.1", 5, admission_fit_max_clients(5), true, false), FULL);
    cr_expect_null(admission_refusal("127.0.0.1", 5, admission_fit_max_clients(6), true, false),
                   "a raised maxclients was not heeded");
}
