/* Unit tests of server: reading redis-server style options (stage 1). */
#include <criterion/criterion.h>
#include <string.h>

#include "server.h"

static enum server_args_result parse(server_config *config, int argc, char **argv, char *err)
{
    server_config_init(config, "stage-test");
    return server_config_from_args(config, argc, argv, err);
}

Test(server, defaults_to_port_6379_on_loopback)
{
    server_config config;
    char err[SERVER_ERR_LEN];
    char *argv[] = {"prog"};
    cr_assert_eq(parse(&config, 1, argv, err), SERVER_ARGS_OK);
    cr_expect_eq(config.port, 6379);
    cr_assert_eq(config.bind_count, 2);
    cr_expect_str_eq(config.bind[0], "127.0.0.1");
    cr_expect_str_eq(config.bind[1], "-::1");
    server_config_free(&config);
}

Test(server, reads_port_and_several_bind_addresses)
{
    server_config config;
    char err[SERVER_ERR_LEN];
    char *argv[] = {"prog", "--port", "7000", "--bind", "127.0.0.1", "::1"};
    cr_assert_eq(parse(&config, 6, argv, err), SERVER_ARGS_OK);
    cr_expect_eq(config.port, 7000);
    cr_assert_eq(config.bind_count, 2);
    cr_expect_str_eq(config.bind[1], "::1");
    server_config_free(&config);
}

Test(server, rejects_a_port_that_is_not_a_port_number)
{
    const char *bad[] = {"abc", "0", "65536", "-1", "70000", "", "80x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        server_config config;
        char err[SERVER_ERR_LEN] = "";
        char *argv[] = {"prog", "--port", (char *)bad[i]};
        cr_expect_eq(parse(&config, 3, argv, err), SERVER_ARGS_ERROR, "--port '%s' was accepted", bad[i]);
        cr_expect(strstr(err, "--port") != NULL, "the error names the option: %s", err);
        server_config_free(&config);
    }
}

Test(server, rejects_unknown_options_and_missing_values_naming_them)
{
    server_config config;
    char err[SERVER_ERR_LEN];
    char *unknown[] = {"prog", "--nosuch", "1"};
    cr_expect_eq(parse(&config, 3, unknown, err), SERVER_ARGS_ERROR);
    cr_expect(strstr(err, "--nosuch") != NULL, "%s", err);
    server_config_free(&config);

    char *missing[] = {"prog", "--port"};
    cr_expect_eq(parse(&config, 2, missing, err), SERVER_ARGS_ERROR);
    cr_expect(strstr(err, "--port") != NULL, "%s", err);
    server_config_free(&config);

    char *stray[] = {"prog", "7000"};
    cr_expect_eq(parse(&config, 2, stray, err), SERVER_ARGS_ERROR);
    cr_expect(strstr(err, "7000") != NULL, "%s", err);
    server_config_free(&config);
}
