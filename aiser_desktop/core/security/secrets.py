"""Passwords and tokens in the OS keyring; the workspace keeps only a reference.

A source's password is split out of the URL the person gives (``postgresql://ann:pw@host/db``)
the moment it arrives, stored in the keyring under a random reference, and fetched again only
when the source is attached. Error messages from drivers pass through :func:`redact` so a
password never reaches the screen, a log or state.sqlite.

Which keyring:

- By default, the OS keyring as the ``keyring`` package finds it: macOS Keychain, Windows
  Credential Manager, GNOME Keyring or KWallet (Secret Service). ``keyring``'s own settings
  still apply (``PYTHON_KEYRING_BACKEND``, ``keyringrc.cfg``).
- A machine with no keyring (a server, a container, a desktop session without one) gets a
  clear :class:`SecretStoreError` naming the fallback below; nothing is ever stored in the
  clear behind the person's back.
- The opt-in fallback is an encrypted file (``keyrings.alt``'s ``EncryptedKeyring``: AES,
  the key derived from a master password with PBKDF2; it needs the ``pycryptodomex`` or
  ``pycryptodome`` package). Turn it on with the environment variable
  ``AISER_KEYRING=encrypted-file`` (the file is ``keyring/secrets.cfg`` in the app's data
  folder; ``AISER_KEYRING_FILE`` puts it elsewhere), or from code with
  :func:`use_encrypted_file`. The master password comes, in this order, from
  :func:`use_encrypted_file` / :func:`unlock` (the app asks for it), the environment variable
  ``AISER_KEYRING_PASSWORD`` (for scripts and CI; anyone who can read the environment can read
  it), or a prompt on the terminal. Without a terminal and without a password the app says so
  instead of waiting for an answer nobody can type. The same applies when ``keyring`` itself
  was pointed at ``keyrings.alt.file.EncryptedKeyring``.
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit, urlunsplit

from aiser_desktop.core.errors import AiserError

SERVICE = "aiser-desktop"

BACKEND_ENV = "AISER_KEYRING"
PASSWORD_ENV = "AISER_KEYRING_PASSWORD"
FILE_ENV = "AISER_KEYRING_FILE"
ENCRYPTED_FILE = "encrypted-file"

# URL query parameters that carry a password (libpq's, MySQL's, ODBC's spellings).
_PASSWORD_PARAMS = frozenset({"password", "passwd", "pwd"})

_lock = threading.Lock()
_chosen: Any = None  # the backend picked by use_encrypted_file(), or None for the default
_master: str | None = None  # the master password given by unlock()/use_encrypted_file()


class SecretStoreError(AiserError):
    """The keyring cannot store or give back a secret."""


_FALLBACK_HINT = (
    "Unlock or install a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential "
    "Manager), or opt in to the encrypted-file keyring (keyrings.alt): set the environment "
    f"variable {BACKEND_ENV}={ENCRYPTED_FILE} and give its master password in "
    f"{PASSWORD_ENV} or when asked."
)


def _no_keyring(exc: Exception) -> SecretStoreError:
    return SecretStoreError(
        f"The OS keyring is not available, so the password cannot be kept safely ({exc}).",
        hint=_FALLBACK_HINT,
    )


def default_file() -> Path:
    """Where the encrypted-file keyring lives unless ``AISER_KEYRING_FILE`` says otherwise."""
    from aiser_desktop.core.config import data_dir

    return data_dir() / "keyring" / "secrets.cfg"


def _encrypted_backend(path: Path) -> Any:
    """A ``keyrings.alt`` encrypted-file keyring at ``path`` that asks :func:`_master_password`
    for its password instead of prompting on its own."""
    try:
        from keyrings.alt.file import EncryptedKeyring

        EncryptedKeyring._get_crypto_impl()
    except ImportError as exc:
        raise SecretStoreError(
            "The encrypted-file keyring needs the package pycryptodomex, which is not installed.",
            hint="Install it (pip install pycryptodomex), or use the OS keyring instead.",
        ) from exc

    class AppEncryptedKeyring(EncryptedKeyring):  # type: ignore[misc]
        """keyrings.alt's EncryptedKeyring, with the master password from the app."""

        def _get_new_password(self) -> str:
            return _master_password(new=True)

        def _unlock(self) -> None:
            self.keyring_key = _master_password(new=False)
            try:
                reference = self.get_password("keyring-setting", "password reference")
            except Exception:  # a wrong key fails to decrypt in several ways
                reference = None
            if reference != "password reference value":
                self._lock()
                raise SecretStoreError(
                    f"The master password of the encrypted keyring file {str(path)!r} is wrong.",
                    hint=f"Give the right one ({PASSWORD_ENV} or when asked).",
                )

    backend = AppEncryptedKeyring()
    backend.file_path = str(path)
    return backend


def _master_password(*, new: bool) -> str:
    if _master:
        return _master
    from_env = os.environ.get(PASSWORD_ENV, "")
    if from_env:
        return from_env
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        prompt = "New master password for Aiser's encrypted keyring file: "
        while True:
            first = getpass.getpass(prompt if new else "Master password of Aiser's keyring: ")
            if not new:
                return first
            if first.strip() and getpass.getpass("Again: ") == first:
                return first
            print("The passwords were empty or did not match; try again.", file=sys.stderr)
    raise SecretStoreError(
        "The encrypted keyring file is locked and no master password was given.",
        hint=f"Set {PASSWORD_ENV}, or run from a terminal to be asked for it.",
    )


def use_encrypted_file(master_password: str | None = None, path: Path | None = None) -> None:
    """Keeps secrets in the encrypted file from now on (the opt-in fallback).

    Args:
        master_password: The file's master password; else from ``AISER_KEYRING_PASSWORD`` or
            a terminal prompt, when first needed.
        path: The file; by default ``AISER_KEYRING_FILE`` or :func:`default_file`.

    Raises:
        SecretStoreError: The encrypted keyring cannot be used here (its package is missing).
    """
    global _chosen, _master
    target = path or Path(os.environ.get(FILE_ENV) or default_file())
    backend = _encrypted_backend(target)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _lock:
        _chosen, _master = backend, master_password or _master


def use_system_keyring() -> None:
    """Goes back to the default keyring (undoes :func:`use_encrypted_file`)."""
    global _chosen, _master
    with _lock:
        _chosen, _master = None, None


def unlock(master_password: str) -> None:
    """Gives the master password of an encrypted keyring file, for the calls that follow."""
    global _master
    with _lock:
        _master = master_password


def backend_name() -> str:
    """The keyring in use, in words (for diagnostics such as ``aiser --version --verbose``)."""
    try:
        return type(_backend()).__name__
    except AiserError as exc:
        return f"none ({exc.message})"


def _backend() -> Any:
    """The keyring backend to use now."""
    global _chosen
    with _lock:
        chosen = _chosen
    if chosen is None and os.environ.get(BACKEND_ENV, "").strip().lower() == ENCRYPTED_FILE:
        use_encrypted_file()
        with _lock:
            chosen = _chosen
    if chosen is not None:
        return chosen
    import keyring

    backend = keyring.get_keyring()
    if type(backend).__name__ == "EncryptedKeyring":
        # keyring's own choice (PYTHON_KEYRING_BACKEND): the same file, with the master
        # password from the app, so it never blocks on a prompt nobody can answer.
        wrapped = _encrypted_backend(Path(getattr(backend, "file_path", default_file())))
        with _lock:
            _chosen = wrapped
        return wrapped
    return backend


def put(value: str, ref: str | None = None) -> str:
    """Stores ``value`` and returns its reference (a new one unless ``ref`` is given).

    Raises:
        SecretStoreError: No keyring backend works on this machine.
    """
    ref = ref or f"source-{uuid.uuid4().hex}"
    backend = _backend()
    try:
        backend.set_password(SERVICE, ref, value)
    except AiserError:
        raise
    except Exception as exc:  # keyring raises backend-specific errors
        raise _no_keyring(exc) from exc
    return ref


def get(ref: str) -> str | None:
    """The secret stored under ``ref``, or None when the keyring has none.

    Raises:
        SecretStoreError: No keyring backend works on this machine.
    """
    backend = _backend()
    try:
        value = backend.get_password(SERVICE, ref)
    except AiserError:
        raise
    except Exception as exc:
        raise _no_keyring(exc) from exc
    return None if value is None else str(value)


def delete(ref: str) -> None:
    """Forgets the secret under ``ref``; nothing happens if there is none."""
    try:
        _backend().delete_password(SERVICE, ref)
    except Exception:  # already gone, or no backend: nothing to forget
        return


def split_url(url: str) -> tuple[str, str | None]:
    """``url`` without its password, and the password (None when it has none).

    The password may be in the user part or a query parameter (``?password=``, ``passwd``,
    ``pwd``).

    >>> split_url("postgresql://ann:s3cret@db:5432/sales")
    ('postgresql://ann@db:5432/sales', 's3cret')
    """
    if "://" not in url:
        return url, None
    parts = urlsplit(url)
    password = parts.password
    query = parse_qsl(parts.query, keep_blank_values=True)
    in_query = [v for k, v in query if k.lower() in _PASSWORD_PARAMS]
    if password is None and not in_query:
        return url, None
    if in_query:
        parts = parts._replace(
            query=urlencode([(k, v) for k, v in query if k.lower() not in _PASSWORD_PARAMS])
        )
    if password is not None:
        user = quote(unquote(parts.username or ""), safe="")
        host = parts.hostname or ""
        if ":" in host:  # IPv6
            host = f"[{host}]"
        netloc = f"{user}@{host}" if user else host
        if parts.port is not None:
            netloc += f":{parts.port}"
        parts = parts._replace(netloc=netloc)
        secret = unquote(password)
    else:
        secret = in_query[-1]
    return urlunsplit(parts), secret


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every given secret (and its URL-quoted forms) replaced by ``***``."""
    for secret in secrets:
        if not secret:
            continue
        forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "***")
    return text
