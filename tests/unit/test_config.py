from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_PATH, ConfigError, load_settings

TOKEN = "MTIzNDU2Nzg5.fake-token-for-tests.abcdefghijklmnop"


def test_minimal_environment_gives_defaults() -> None:
    settings = load_settings({"DISCORD_TOKEN": TOKEN})
    assert settings.token == TOKEN
    assert settings.database_path == DEFAULT_DATABASE_PATH
    assert settings.dev_guild_id is None
    assert settings.log_level == "INFO"
    assert settings.owner_ids == frozenset()
    assert settings.api_base_url is None


def test_all_keys_are_parsed() -> None:
    settings = load_settings(
        {
            "DISCORD_TOKEN": TOKEN,
            "DATABASE_PATH": "/var/lib/hs/bot.sqlite3",
            "DEV_GUILD_ID": "123456789012345678",
            "LOG_LEVEL": "debug",
            "OWNER_IDS": "111111111111111111, 222222222222222222",
            "DISCORD_API_BASE_URL": "http://127.0.0.1:8080/api/v10/",
        }
    )
    assert settings.database_path == Path("/var/lib/hs/bot.sqlite3")
    assert settings.dev_guild_id == 123456789012345678
    assert settings.log_level == "DEBUG"
    assert settings.owner_ids == {111111111111111111, 222222222222222222}
    assert settings.api_base_url == "http://127.0.0.1:8080/api/v10"
    assert settings.gateway_url == "ws://127.0.0.1:8080/gateway"


@pytest.mark.parametrize("env", [{}, {"DISCORD_TOKEN": ""}, {"DISCORD_TOKEN": "   "}])
def test_missing_token_names_the_key(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match=r"^DISCORD_TOKEN is not set"):
        load_settings(env)


def test_sandbox_needs_no_token() -> None:
    assert load_settings({}, require_token=False).token == ""


def test_malformed_token_is_not_echoed() -> None:
    bad = "abc def " + "x" * 30
    with pytest.raises(ConfigError) as info:
        load_settings({"DISCORD_TOKEN": bad})
    assert "DISCORD_TOKEN" in str(info.value)
    assert bad not in str(info.value) and "xxxx" not in str(info.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DEV_GUILD_ID", "my-server"),
        ("DEV_GUILD_ID", "12"),
        ("OWNER_IDS", "123456789012345678,abc"),
        ("LOG_LEVEL", "LOUD"),
        ("DISCORD_API_BASE_URL", "127.0.0.1:8080"),
        ("DISCORD_GATEWAY_URL", "ws://127.0.0.1:1/gateway"),
    ],
)
def test_bad_values_name_their_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({"DISCORD_TOKEN": TOKEN, key: value})
    message = str(info.value)
    assert message.startswith(key)
    assert "\n" not in message


def test_token_never_appears_in_repr() -> None:
    settings = load_settings({"DISCORD_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)


def test_log_format_and_connect_timeout() -> None:
    defaults = load_settings({"DISCORD_TOKEN": TOKEN})
    assert (defaults.log_format, defaults.connect_timeout) == ("text", 30.0)
    settings = load_settings(
        {"DISCORD_TOKEN": TOKEN, "LOG_FORMAT": "JSON", "DISCORD_CONNECT_TIMEOUT": "2.5"}
    )
    assert (settings.log_format, settings.connect_timeout) == ("json", 2.5)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("LOG_FORMAT", "xml"),
        ("DISCORD_CONNECT_TIMEOUT", "soon"),
        ("DISCORD_CONNECT_TIMEOUT", "0"),
        ("DISCORD_CONNECT_TIMEOUT", "nan"),
        ("DISCORD_CONNECT_TIMEOUT", "99999"),
    ],
)
def test_bad_operations_settings_name_their_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        load_settings({"DISCORD_TOKEN": TOKEN, key: value})


def test_sharding_and_database_url_are_parsed() -> None:
    settings = load_settings(
        {
            "DISCORD_TOKEN": TOKEN,
            "SHARD_COUNT": "8",
            "SHARD_IDS": "0-2, 6",
            "DATABASE_URL": "postgresql://bot:secret@127.0.0.1/heartstopper",
        }
    )
    assert settings.shard_count == 8
    assert settings.shard_ids == (0, 1, 2, 6)
    assert settings.database_url == "postgresql://bot:secret@127.0.0.1/heartstopper"
    assert "secret" not in repr(settings)
    unsharded = load_settings({"DISCORD_TOKEN": TOKEN})
    assert (unsharded.shard_count, unsharded.shard_ids, unsharded.database_url) == (None,) * 3


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT"),
        ({"SHARD_IDS": "0-1"}, "SHARD_COUNT too"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3-4"}, "between 0 and 3"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "a"}, "SHARD_IDS"),
        ({"DATABASE_URL": "mysql://u:hunter2@db/x"}, "postgresql://"),
    ],
)
def test_bad_sharding_or_database_url_names_the_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError, match=key) as raised:
        load_settings({"DISCORD_TOKEN": TOKEN, **env})
    assert "hunter2" not in str(raised.value)
