"""Passwords and tokens in the OS keyring; the workspace keeps only a reference.

A source's password is split out of the URL the person gives (``postgresql://ann:pw@host/db``)
the moment it arrives, stored in the keyring under a random reference, and fetched again only
when the source is attached. Error messages from drivers pass through :func:`redact` so a
password never reaches the screen, a log or state.sqlite.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from aiser_desktop.core.errors import AiserError

SERVICE = "aiser-desktop"


class SecretStoreError(AiserError):
    """The keyring cannot store or give back a secret."""


def _keyring() -> Any:
    import keyring

    return keyring


def _no_keyring(exc: Exception) -> SecretStoreError:
    return SecretStoreError(
        f"The OS keyring is not available, so the password cannot be kept safely ({exc}).",
        hint="Unlock or install a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows "
        "Credential Manager), or opt in to the encrypted-file keyring: set the environment "
        "variable PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring.",
    )


def put(value: str, ref: str | None = None) -> str:
    """Stores ``value`` and returns its reference (a new one unless ``ref`` is given).

    Raises:
        SecretStoreError: No keyring backend works on this machine.
    """
    ref = ref or f"source-{uuid.uuid4().hex}"
    keyring = _keyring()
    try:
        keyring.set_password(SERVICE, ref, value)
    except Exception as exc:  # keyring raises backend-specific errors
        raise _no_keyring(exc) from exc
    return ref


def get(ref: str) -> str | None:
    """The secret stored under ``ref``, or None when the keyring has none.

    Raises:
        SecretStoreError: No keyring backend works on this machine.
    """
    keyring = _keyring()
    try:
        value = keyring.get_password(SERVICE, ref)
    except Exception as exc:
        raise _no_keyring(exc) from exc
    return None if value is None else str(value)


def delete(ref: str) -> None:
    """Forgets the secret under ``ref``; nothing happens if there is none."""
    keyring = _keyring()
    try:
        keyring.delete_password(SERVICE, ref)
    except Exception:  # already gone, or no backend: nothing to forget
        return


def split_url(url: str) -> tuple[str, str | None]:
    """``url`` without its password, and the password (None when it has none).

    >>> split_url("postgresql://ann:s3cret@db:5432/sales")
    ('postgresql://ann@db:5432/sales', 's3cret')
    """
    if "://" not in url:
        return url, None
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    user = quote(unquote(parts.username or ""), safe="")
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{user}@{host}" if user else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), unquote(parts.password)


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every given secret (and its URL-quoted form) replaced by ``***``."""
    for secret in secrets:
        if not secret:
            continue
        for form in {secret, quote(secret, safe="")}:
            text = text.replace(form, "***")
    return text
