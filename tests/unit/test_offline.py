"""Offline by design: with no network at all, everything works and nothing tries to download.

The in-process guard in tests/conftest.py fails any non-loopback connection in every test. Here
the app also runs as a real process with the network removed (``unshare -n``, needs root), the
way an air-gapped laptop runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aiser_desktop.core.engine import Engine
from aiser_desktop.core.errors import QueryError


def _can_cut_network() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return probe.returncode == 0


needs_unshare = pytest.mark.skipif(
    not _can_cut_network(), reason="needs root and `unshare -n` to remove the network"
)


def _offline(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "aiser_desktop", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        check=False,
    )


@pytest.mark.network_cut
@needs_unshare
def test_import_query_and_sources_work_with_no_network(tmp_path: Path, sample_csv: Path) -> None:
    ws = str(tmp_path / "ws")
    imported = _offline("import", str(sample_csv), "--workspace", ws)
    assert imported.returncode == 0, imported.stderr
    query = _offline(
        "query", "select count(*) as n from sales", "--format", "csv", "--workspace", ws
    )
    assert query.returncode == 0, query.stderr
    assert query.stdout.splitlines() == ['"n"', "3"]
    listed = _offline("sources", "--workspace", ws)
    assert listed.returncode == 0 and "sales" in listed.stdout


@pytest.mark.network_cut
@needs_unshare
def test_packaged_extension_loads_with_no_network(tmp_path: Path) -> None:
    code = (
        "from aiser_desktop.core.engine import Engine\n"
        "e = Engine()\n"
        "e.load_extension('tpch')\n"
        "e.execute('CALL dbgen(sf=0.001)')\n"
        "print(e.execute('select count(*) from nation').rows()[0][0])\n"
    )
    result = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "25"


@pytest.mark.network_cut
@needs_unshare
def test_install_and_remote_files_fail_fast_instead_of_downloading(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    start = time.monotonic()
    install = _offline("query", "INSTALL httpfs", "--workspace", ws)
    remote = _offline(
        "query", "select * from read_csv('https://example.com/x.csv')", "--workspace", ws
    )
    assert time.monotonic() - start < 60  # no network timeouts waited out
    assert install.returncode == 1 and "httpfs" in install.stderr
    assert remote.returncode == 1 and "httpfs" in remote.stderr


def test_install_looks_only_on_this_disk() -> None:
    """Even an explicit INSTALL reads the app's local repository folder, never the internet."""
    with Engine() as engine:
        with pytest.raises(QueryError) as caught:
            engine.execute("INSTALL spatial")
        assert str(engine.extension_dir / "repository") in str(caught.value)
        setting = engine.execute(
            "select current_setting('autoinstall_known_extensions'), "
            "current_setting('autoload_known_extensions')"
        ).rows()
        assert setting == [(False, False)]


@pytest.mark.network_cut
@needs_unshare
def test_every_local_kind_of_source_imports_with_no_network(tmp_path: Path) -> None:
    import sqlite3

    from openpyxl import Workbook

    db = tmp_path / "shop.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
        con.executemany("INSERT INTO orders VALUES (?, ?)", [(1, 9.5), (2, 20.0)])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "budget"
    sheet.append(["dept", "amount"])
    sheet.append(["ops", 100])
    book.save(tmp_path / "finance.xlsx")

    ws = str(tmp_path / "ws")
    for location in (db, tmp_path / "finance.xlsx"):
        added = _offline("import", str(location), "--workspace", ws)
        assert added.returncode == 0, added.stderr
    query = _offline(
        "query",
        "select (select sum(total) from shop.orders) as t, "
        "(select sum(amount) from finance.budget) as b",
        "--format",
        "csv",
        "--workspace",
        ws,
    )
    assert query.returncode == 0, query.stderr
    assert query.stdout.splitlines()[1] == "29.5,100"


@pytest.mark.network_cut
@needs_unshare
def test_a_web_source_is_refused_without_consent_and_fails_fast_without_network(
    tmp_path: Path,
) -> None:
    ws = str(tmp_path / "ws")
    refused = _offline("import", "https://example.com/data.csv", "--workspace", ws)
    assert refused.returncode == 1
    assert "network" in refused.stderr.lower()
    start = time.monotonic()
    allowed = _offline(
        "import", "https://example.com/data.csv", "--allow-network", "--workspace", ws
    )
    assert allowed.returncode == 1
    assert time.monotonic() - start < 60
    assert "example.com" in allowed.stderr
