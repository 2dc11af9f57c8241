"""A planted password is found nowhere: not in the workspace folder, not in the logs.

A MariaDB user gets a distinctive password; the source is added through the workspace and
through the ``aiser`` command (a subprocess, whose keyring is the plain-text file the test
conftest points into the private data folder: the one place allowed to hold it). Queries run,
logins fail on purpose, the source is refreshed and switched; then every file of the
workspaces, the logs, the settings and the data folder is searched for the password in every
form it could be written in.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from aiser_desktop.core import config
from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.logs import setup_logging
from aiser_desktop.core.workspace import Workspace
from tests.samples import databases as samples

PASSWORD = f"Pl4nted-{uuid.uuid4().hex[:10]}-p@ss:w/rd"
FORMS = {PASSWORD, quote(PASSWORD, safe=""), quote(PASSWORD), quote_plus(PASSWORD)}


@pytest.fixture
def planted(private_dirs: Path) -> Iterator[tuple[str, str]]:
    """A database with a table ``people`` and a user who reads it with PASSWORD."""
    database = samples.my_database("aiser_leak")
    user = samples.unique_name("aiser_leak")[:30]
    con = samples.my_connect(database)
    try:
        cur = con.cursor()
        cur.execute("CREATE TABLE people (id int PRIMARY KEY, name varchar(20))")
        cur.executemany("INSERT INTO people VALUES (%s, %s)", samples.ROWS)
        for host in ("%", "localhost"):
            cur.execute("CREATE USER %s@%s IDENTIFIED BY %s", (user, host, PASSWORD))
            cur.execute(f"GRANT SELECT ON `{database}`.* TO %s@%s", (user, host))
        yield database, user
    finally:
        cur = con.cursor()
        for host in ("%", "localhost"):
            cur.execute("DROP USER IF EXISTS %s@%s", (user, host))
        con.close()
        samples.drop_my_database(database)


@pytest.fixture
def debug_log() -> Iterator[Path]:
    """The app's log file at DEBUG level, in the test's private log folder."""
    path = setup_logging("DEBUG")
    yield path
    root = logging.getLogger("aiser_desktop")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()


def _url(user: str, database: str, password: str = PASSWORD) -> str:
    return f"mysql://{user}:{quote(password, safe='')}@127.0.0.1:3306/{database}"


def _aiser(*args: str, workspace: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiser_desktop", *args, "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),  # the private XDG folders and the plain-text keyring file
        check=False,
    )


def _files_holding_the_password(folder: Path, allowed: set[Path]) -> list[str]:
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path in allowed:
            continue
        data = path.read_bytes()
        if any(form.encode() in data for form in FORMS):
            found.append(str(path))
    return found


def test_the_password_is_nowhere_but_the_keyring(
    planted: tuple[str, str], debug_log: Path, private_dirs: Path, tmp_path: Path
) -> None:
    database, user = planted
    ws_path = tmp_path / "ws"
    errors: list[str] = []

    with Workspace.open(ws_path) as ws:
        ws.sources.add(_url(user, database), name="linked_db")
        ws.sources.add(_url(user, database), name="snap", mode="imported")
        assert ws.engine.execute("SELECT count(*) FROM linked_db.people").rows() == [(3,)]
        assert ws.engine.execute("SELECT count(*) FROM snap.people").rows() == [(3,)]
        with pytest.raises(AiserError) as caught:
            ws.engine.execute("SELECT nope FROM linked_db.people")
        errors.append(str(caught.value))
        ws.sources.refresh("snap")
        ws.sources.set_mode("snap", "linked")
        ws.sources.set_mode("snap", "imported")
        # A failed login that sends the planted password (to a user who does not exist).
        with pytest.raises(AiserError) as caught:
            ws.sources.add(_url("nobody_" + user[:20], database), name="bad")
        errors.append(str(caught.value))
        # The same through SQLAlchemy, with its own driver and error texts.
        sa_url = _url("nobody_" + user[:20], database).replace("mysql://", "mysql+pymysql://")
        with pytest.raises(AiserError) as caught:
            ws.sources.add(sa_url, name="bad")
        errors.append(str(caught.value))
        ws.sources.add(_url(user, database).replace("mysql://", "mysql+pymysql://"), name="sa")
        assert ws.engine.execute("SELECT count(*) FROM sa.people").rows() == [(3,)]

    # Reopened: the linked database is attached again with the password from the keyring;
    # then the password changes on the server, and refreshing fails with the old one.
    with Workspace.open(ws_path) as ws:
        assert ws.engine.execute("SELECT count(*) FROM linked_db.people").rows() == [(3,)]
        con = samples.my_connect()
        try:
            for host in ("%", "localhost"):
                con.cursor().execute(
                    "ALTER USER %s@%s IDENTIFIED BY %s", (user, host, "changed-" + PASSWORD[::-1])
                )
        finally:
            con.close()
        with pytest.raises(AiserError) as caught:
            ws.sources.refresh("snap")
        errors.append(str(caught.value))
        assert "wrong user name or password" in errors[-1]
        statuses = [s.status for s in ws.sources.catalog()]
        errors.extend(statuses)

    # Put the password back for the command line.
    con = samples.my_connect()
    try:
        for host in ("%", "localhost"):
            con.cursor().execute("ALTER USER %s@%s IDENTIFIED BY %s", (user, host, PASSWORD))
    finally:
        con.close()

    cli_ws = tmp_path / "cli_ws"
    outputs = [
        _aiser("import", _url(user, database), "--name", "cli_db", workspace=cli_ws),
        _aiser("query", "SELECT count(*) AS n FROM cli_db.people", workspace=cli_ws),
        _aiser("sources", "--json", workspace=cli_ws),
        _aiser("import", _url("nobody_" + user[:20], database), "--name", "x", workspace=cli_ws),
    ]
    assert outputs[0].returncode == 0, outputs[0].stderr
    assert "3" in outputs[1].stdout
    assert outputs[3].returncode != 0
    assert "wrong user name or password" in outputs[3].stderr
    for out in outputs:
        errors += [out.stdout, out.stderr]

    for text in errors:
        assert not any(form in text for form in FORMS), text

    keyring_file = Path(os.environ["XDG_DATA_HOME"]) / "python_keyring" / "keyring_pass.cfg"
    assert keyring_file.is_file()  # the CLI's keyring holds it: the one place allowed
    assert debug_log.is_file() and debug_log.stat().st_size > 0
    for made in ("state.sqlite", "data.duckdb"):  # the files that could have kept it
        assert (ws_path / made).is_file() and (cli_ws / made).is_file()
    searched = [ws_path, cli_ws, config.log_dir(), config.config_dir(), private_dirs]
    leaks = [f for folder in searched for f in _files_holding_the_password(folder, {keyring_file})]
    assert leaks == []
