"""Secrets: split out of URLs, kept in a keyring, redacted from text; the encrypted-file
fallback for machines without a keyring."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from aiser_desktop.core.security import secrets
from aiser_desktop.core.security.secrets import SecretStoreError
from tests.conftest import MemoryKeyring

HAS_CRYPTO = any(importlib.util.find_spec(m) for m in ("Cryptodome", "Crypto"))


@pytest.fixture(autouse=True)
def default_keyring() -> Iterator[None]:
    secrets.use_system_keyring()
    yield
    secrets.use_system_keyring()


@pytest.mark.parametrize(
    ("url", "clean", "secret"),
    [
        ("postgresql://ann:s3cret@db:5432/sales", "postgresql://ann@db:5432/sales", "s3cret"),
        ("mysql://ann:p%40ss%2Fw%3Ard@h/x", "mysql://ann@h/x", "p@ss/w:rd"),
        ("postgresql://ann:pw@[::1]:5432/x", "postgresql://ann@[::1]:5432/x", "pw"),
        (
            "postgresql://ann@h/x?sslmode=require&password=q%26w",
            "postgresql://ann@h/x?sslmode=require",
            "q&w",
        ),
        ("mssql+pyodbc://u@h/db?PWD=abc&driver=x", "mssql+pyodbc://u@h/db?driver=x", "abc"),
        ("postgresql://ann@db/sales", "postgresql://ann@db/sales", None),
        ("/home/ann/p:w@x.csv", "/home/ann/p:w@x.csv", None),
    ],
)
def test_split_url_takes_the_password_out(url: str, clean: str, secret: str | None) -> None:
    assert secrets.split_url(url) == (clean, secret)


def test_redact_hides_every_form_of_the_secret() -> None:
    secret = "p@ss w/rd"
    text = "failed for p@ss w/rd (p%40ss%20w%2Frd, p%40ss+w%2Frd, p%40ss%20w/rd)"
    redacted = secrets.redact(text, secret, None, "")
    assert "p@ss" not in redacted and "p%40ss" not in redacted
    assert redacted.count("***") == 4


def test_put_get_delete_round_trip(memory_keyring: MemoryKeyring) -> None:
    ref = secrets.put("hunter2")
    assert ref.startswith("source-")
    assert memory_keyring.passwords == {(secrets.SERVICE, ref): "hunter2"}
    assert secrets.get(ref) == "hunter2"
    secrets.delete(ref)
    secrets.delete(ref)  # twice is fine
    assert secrets.get(ref) is None


def test_no_keyring_names_the_encrypted_file_fallback() -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(SecretStoreError) as caught:
        secrets.put("hunter2")
    error = caught.value
    assert "The OS keyring is not available" in error.message
    assert "keyrings.alt" in error.hint
    assert f"{secrets.BACKEND_ENV}=encrypted-file" in error.hint
    assert secrets.PASSWORD_ENV in error.hint
    with pytest.raises(SecretStoreError):
        secrets.get("source-x")
    secrets.delete("source-x")  # nothing to forget, no error
    assert secrets.backend_name() == "Keyring"


@pytest.mark.skipif(HAS_CRYPTO, reason="pycryptodome is installed: the fallback works")
def test_encrypted_file_says_which_package_it_needs(tmp_path: Path) -> None:
    with pytest.raises(SecretStoreError) as caught:
        secrets.use_encrypted_file("master", tmp_path / "k.cfg")
    assert "pycryptodomex" in caught.value.message
    assert "pip install pycryptodomex" in caught.value.hint


@pytest.mark.skipif(not HAS_CRYPTO, reason="the encrypted file needs pycryptodome(x)")
def test_encrypted_file_keeps_secrets_encrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    path = tmp_path / "keyring" / "secrets.cfg"
    monkeypatch.setenv(secrets.BACKEND_ENV, "encrypted-file")
    monkeypatch.setenv(secrets.FILE_ENV, str(path))
    monkeypatch.setenv(secrets.PASSWORD_ENV, "correct horse")
    ref = secrets.put("Sup3r-Secret-Value")
    assert memory_keyring.passwords == {}  # the OS keyring was not used
    assert path.is_file() and b"Sup3r-Secret-Value" not in path.read_bytes()
    assert secrets.get(ref) == "Sup3r-Secret-Value"

    # Another process (a fresh backend) with the wrong master password is refused clearly.
    secrets.use_system_keyring()
    monkeypatch.setenv(secrets.PASSWORD_ENV, "wrong")
    with pytest.raises(SecretStoreError, match=r"master password .* is wrong"):
        secrets.get(ref)

    # And with no password and no terminal, it says so instead of waiting for input.
    secrets.use_system_keyring()
    monkeypatch.delenv(secrets.PASSWORD_ENV)
    monkeypatch.setattr("sys.stdin", None)
    with pytest.raises(SecretStoreError, match="no master password was given"):
        secrets.get(ref)

    secrets.use_encrypted_file("correct horse", path)
    assert secrets.get(ref) == "Sup3r-Secret-Value"
