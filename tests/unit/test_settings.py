"""Settings in a TOML file, and which workspace folder opens."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from aiser_desktop.core import config
from aiser_desktop.core.config import Settings, resolve_workspace
from aiser_desktop.core.errors import SettingsError


def test_no_file_gives_the_defaults() -> None:
    assert not config.settings_path().exists()
    settings = Settings.load()
    assert settings == Settings()
    assert settings.network_enabled is False
    assert settings.theme == "system"


def test_settings_live_in_the_platform_config_folder(private_dirs: Path) -> None:
    assert config.settings_path() == private_dirs / "config" / "aiser-desktop" / "settings.toml"
    assert config.log_path().name == "aiser.log"


def test_save_then_load_round_trips() -> None:
    settings = Settings(workspace="/data/ws", theme="dark", network_enabled=True, log_level="DEBUG")
    path = settings.save()
    assert path == config.settings_path()
    assert Settings.load() == settings


def test_unknown_keys_are_kept_through_a_save(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        'theme = "dark"\nfuture_option = 3\n\n[plugins.charts]\nenabled = true\n',
        encoding="utf-8",
    )
    settings = Settings.load(path)
    assert settings.theme == "dark"
    assert settings.extra == {"future_option": 3, "plugins": {"charts": {"enabled": True}}}

    settings.theme = "light"
    settings.save(path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["theme"] == "light"
    assert data["future_option"] == 3
    assert data["plugins"] == {"charts": {"enabled": True}}
    assert "extra" not in data


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('theme = "dark\n', encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        Settings.load(path)
    assert str(path) in str(caught.value)
    assert "not valid TOML" in str(caught.value)


def test_a_value_of_the_wrong_type_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('network_enabled = "yes"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        Settings.load(path)
    message = str(caught.value)
    assert "network_enabled" in message
    assert "bool" in message
    assert str(path) in message


class TestResolveWorkspace:
    def test_the_argument_wins(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("AISER_WORKSPACE", "/from/env")
        settings = Settings(workspace="/from/settings")
        assert resolve_workspace("/from/arg", settings) == Path("/from/arg")

    def test_then_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("AISER_WORKSPACE", "/from/env")
        settings = Settings(workspace="/from/settings")
        assert resolve_workspace(None, settings) == Path("/from/env")

    def test_then_the_settings(self) -> None:
        assert resolve_workspace(None, Settings(workspace="/from/settings")) == Path(
            "/from/settings"
        )

    def test_then_the_platform_data_folder(self, private_dirs: Path) -> None:
        expected = private_dirs / "data" / "aiser-desktop" / "workspace"
        assert resolve_workspace(None, Settings()) == expected
        assert config.is_default_workspace(expected)

    def test_a_tilde_is_expanded(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.setenv("HOME", str(tmp_path))
        assert resolve_workspace("~/ws", Settings()) == tmp_path / "ws"
