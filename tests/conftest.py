"""Fixtures for every test: private folders, and no network.

Each test gets its own config, data and log folders (through the XDG variables platformdirs
reads), so no test touches the person's real settings or workspace. A guard makes any socket
connection to a non-loopback address fail, so a stray download is caught as an error.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiser_desktop.core.engine import Engine
from aiser_desktop.core.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]


class NetworkBlockedError(RuntimeError):
    pass


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return isinstance(address, (str, bytes))  # AF_UNIX paths are local


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails any connection that would leave this machine."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(self: socket.socket, address: object) -> object:
        if not _is_loopback(address):
            raise NetworkBlockedError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    def guarded_ex(self: socket.socket, address: object) -> object:
        if not _is_loopback(address):
            raise NetworkBlockedError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)


@pytest.fixture(autouse=True)
def private_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Points the platform's config, data, cache and log folders into a temp folder."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        (home / sub).mkdir()
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("AISER_WORKSPACE", raising=False)
    return home


class MemoryKeyring:
    """An in-memory keyring backend: tests never touch the machine's real keyring."""

    priority = 1

    def __init__(self) -> None:
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch, private_dirs: Path) -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory keyring; a subprocess (the CLI) gets a plain-text
    keyring file in the test's private data folder."""
    import keyring
    import keyring.backend

    backend = type("TestKeyring", (MemoryKeyring, keyring.backend.KeyringBackend), {})()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def engine() -> Iterator[Engine]:
    """An in-memory engine (no workspace), closed after the test."""
    eng = Engine()
    try:
        yield eng
    finally:
        eng.close()


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """An empty, open workspace in a temp folder."""
    ws = Workspace.open(tmp_path / "ws")
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture(scope="session")
def sample_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small CSV file of sales."""
    path = tmp_path_factory.mktemp("files") / "sales.csv"
    path.write_text(
        "region,product,amount,sold_on\n"
        "north,apples,10.5,2024-01-03\n"
        "south,pears,7.25,2024-01-04\n"
        "north,pears,3.0,2024-02-11\n",
        encoding="utf-8",
    )
    return path
