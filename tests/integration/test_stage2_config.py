"""Stage 2: CONFIG GET, enough for redis-benchmark and friends.

redis-benchmark asks `CONFIG GET save` and `CONFIG GET appendonly` when it
starts. CONFIG GET takes one or more glob patterns and replies a flat array
of name/value pairs; redis-py turns it into a dict, and the tests compare
dicts because the order of the pairs is not specified.

The suite's servers persist nothing: `save` is "" and `appendonly` "no" (the
oracle is started with --save '' --appendonly no).

The wrong servers these tests catch, step by step:
  2g  one that answers CONFIG GET save with an error or nil, replies
      anything but a flat array of name/value pairs, knows exact names only
      (no glob patterns, no case-insensitive match), answers an unknown name
      with an error instead of an empty array, reads only its first pattern,
      names a parameter twice when two patterns match it, or gets the texts
      of CONFIG's arity and unknown-subcommand errors wrong.
"""

import fnmatch

import pytest

from helpers import command, error, expect_reply, request

pytestmark = pytest.mark.stage(2)


def config_get(r, *patterns):
    return r.execute_command("CONFIG GET", *patterns)


@pytest.mark.step("2g")
def test_config_get_save_replies_an_empty_save_policy(r):
    assert config_get(r, "save") == {"save": ""}


@pytest.mark.step("2g")
def test_config_get_appendonly_replies_no(r):
    assert config_get(r, "appendonly") == {"appendonly": "no"}


@pytest.mark.step("2g")
def test_config_get_reply_is_a_flat_array_of_name_and_value(r, connect):
    expect_reply(connect(), command("CONFIG", "GET", "save"),
                 b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n", chapter=2,
                 hint="an array of 2 bulk strings per parameter: name, value")


@pytest.mark.step("2g")
def test_config_get_accepts_several_patterns(r):
    assert config_get(r, "save", "appendonly") == {"save": "",
                                                   "appendonly": "no"}


@pytest.mark.step("2g")
def test_config_get_with_a_glob_pattern_replies_every_match(r):
    got = config_get(r, "app*")
    assert got.get("appendonly") == "no"
    outside = [name for name in got if not fnmatch.fnmatchcase(name, "app*")]
    assert not outside, "CONFIG GET app* replied names not matching: %r" % (
        outside)


@pytest.mark.step("2g")
def test_config_get_star_includes_save_and_appendonly(r):
    got = config_get(r, "*")
    assert got.get("save") == "" and got.get("appendonly") == "no"


@pytest.mark.step("2g")
def test_config_get_reports_each_parameter_once(connect):
    # redis-py turns the reply into a dict, which would hide a name listed
    # twice: read the raw array.
    patterns = ("save", "s*", "sav?", "save", "*ave")
    value, raw = request(connect(), "CONFIG", "GET", *patterns)
    assert isinstance(value, list) and len(value) % 2 == 0, (
        "CONFIG GET %s replied %r: expected a flat array of name/value "
        "pairs" % (" ".join(patterns), raw[:200]))
    names = value[0::2]
    twice = sorted({name for name in names if names.count(name) > 1})
    assert b"save" in names and not twice, (
        "CONFIG GET %s named %s more than once (names: %r). Hint: collect "
        "the parameters every pattern matches, then report each one once. "
        "Read workshop.md chapter 2."
        % (" ".join(patterns), b", ".join(twice).decode(), names))


@pytest.mark.step("2g")
def test_config_get_subcommand_and_name_are_case_insensitive(r):
    # Redis 7.0 replies the name as it was asked (APPENDONLY), later versions
    # in lower case: either is fine here.
    flat = r.execute_command("config", "get", "APPENDONLY")
    got = {flat[i].lower(): flat[i + 1] for i in range(0, len(flat), 2)}
    assert got == {b"appendonly": b"no"}


@pytest.mark.step("2g")
def test_config_get_of_an_unknown_parameter_is_an_empty_array(r, connect):
    expect_reply(connect(), command("CONFIG", "GET", "nosuchparameter"),
                 b"*0\r\n", chapter=2,
                 hint="no match is not an error: reply an empty array")


@pytest.mark.step("2g")
def test_config_get_skips_unknown_parameters_among_known_ones(r):
    assert config_get(r, "nosuch", "appendonly") == {"appendonly": "no"}


@pytest.mark.step("2g")
def test_config_get_without_a_pattern_is_an_arity_error(r, connect):
    expect_reply(connect(), command("CONFIG", "GET"),
                 error("ERR wrong number of arguments for 'config|get' "
                       "command"), chapter=2,
                 hint="subcommands have their own arity; Redis names them "
                      "'container|subcommand'")


@pytest.mark.step("2g")
def test_config_without_a_subcommand_is_an_arity_error(r, connect):
    expect_reply(connect(), command("CONFIG"),
                 error("ERR wrong number of arguments for 'config' command"),
                 chapter=2)


@pytest.mark.step("2g")
def test_config_with_an_unknown_subcommand_is_an_error(r, connect):
    expect_reply(connect(), command("CONFIG", "FOO"),
                 error("ERR unknown subcommand 'FOO'. Try CONFIG HELP."),
                 chapter=2, hint="quote the subcommand as the client sent it")
