"""The `aiser` command's headless verbs, as a person uses them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from aiser_desktop import __version__
from aiser_desktop.cli import main
from aiser_desktop.core.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return tmp_path / "ws"


def aiser(*args: str | Path) -> int:
    return main([str(a) for a in args])


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert aiser("--version") == 0
    assert capsys.readouterr().out.strip() == f"aiser {__version__}"


def test_version_verbose_shows_where_logs_and_settings_live(
    capsys: pytest.CaptureFixture[str], private_dirs: Path
) -> None:
    assert aiser("--version", "--verbose") == 0
    out = capsys.readouterr().out
    assert "duckdb     1.5.5" in out
    assert f"logs       {private_dirs / 'state'}" in out
    assert f"settings   {private_dirs / 'config'}" in out


def test_import_then_query_by_name(
    ws: Path, sample_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert aiser("import", sample_csv, "--name", "sales", "--workspace", ws) == 0
    assert "added sales (csv, imported): 3 rows, 4 columns" in capsys.readouterr().out

    sql = "select region, sum(amount) as total from sales group by 1 order by 1"
    assert aiser("query", sql, "--workspace", ws) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["region", "|", "total"]
    assert out[2].split() == ["north", "|", "13.5"]
    assert out[3].split() == ["south", "|", "7.25"]
    assert out[-1].startswith("2 rows in ")


def test_table_output_says_how_many_rows_were_shown(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert aiser("query", "select * from range(1000)", "--max-rows", "5", "--workspace", ws) == 0
    out = capsys.readouterr().out
    assert "first 5 rows shown" in out and "there are more" in out


def test_csv_and_json_formats(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "select 1 as n, 'a,b' as s, null as z union all select 2, 'c', null order by n"
    assert aiser("query", sql, "--format", "csv", "--workspace", ws) == 0
    assert capsys.readouterr().out.splitlines() == ['"n","s","z"', '1,"a,b",', '2,"c",']
    assert aiser("query", sql, "--format", "json", "--workspace", ws) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"n": 1, "s": "a,b", "z": None},
        {"n": 2, "s": "c", "z": None},
    ]


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".json"])
def test_out_writes_the_whole_result(ws: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"result{suffix}"
    sql = "select i, i * 2 as twice from range(100000) t(i)"
    assert aiser("query", sql, "--out", out, "--workspace", ws) == 0
    reader = {".parquet": "read_parquet", ".csv": "read_csv", ".json": "read_json"}[suffix]
    count, total = duckdb.sql(f"select count(*), sum(twice) from {reader}('{out}')").fetchone()
    assert (count, total) == (100000, 2 * sum(range(100000)))


def test_out_with_unknown_suffix_fails_before_running(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert aiser("query", "select 1", "--out", tmp_path / "x.xyz", "--workspace", ws) == 1
    err = capsys.readouterr().err
    assert "x.xyz" in err and ".parquet" in err


def test_sql_error_gives_line_and_column(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert aiser("query", "select 1,\n  nosuch_col from range(3)", "--workspace", ws) == 1
    err = capsys.readouterr().err
    assert "line 2, column 3" in err
    assert "nosuch_col" in err


def test_missing_file_is_named(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"
    assert aiser("import", missing, "--workspace", ws) == 1
    err = capsys.readouterr().err
    assert str(missing) in err and "does not exist" in err


def test_name_clash_is_refused_and_keeps_the_data(
    ws: Path, sample_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.csv"
    other.write_text("x\n1\n", encoding="utf-8")
    assert aiser("import", sample_csv, "--name", "sales", "--workspace", ws) == 0
    assert aiser("import", other, "--name", "sales", "--workspace", ws) == 1
    assert "already exists" in capsys.readouterr().err
    assert (
        aiser("query", "select count(*) as n from sales", "--format", "csv", "--workspace", ws) == 0
    )
    assert capsys.readouterr().out.splitlines() == ['"n"', "3"]


def test_sources_json_lists_tables_rows_and_columns(
    ws: Path, sample_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert aiser("sources", "--workspace", ws) == 0
    assert "No sources" in capsys.readouterr().out
    aiser("import", sample_csv, "--workspace", ws)
    capsys.readouterr()
    assert aiser("sources", "--json", "--workspace", ws) == 0
    [source] = json.loads(capsys.readouterr().out)
    assert source["name"] == "sales"
    assert (source["connector"], source["mode"], source["status"]) == ("csv", "imported", "")
    assert source["location"] == str(sample_csv)
    assert source["refreshed_at"] is not None  # an imported source's snapshot time
    [table] = source["tables"]
    assert table["sql_name"] == "sales" and table["row_count"] == 3
    assert [c["name"] for c in table["columns"]] == ["region", "product", "amount", "sold_on"]
    columns = {c["name"]: c for c in table["columns"]}
    assert columns["sold_on"]["type"] == "DATE"
    assert columns["sold_on"]["semantic"] == "date"
    assert table["primary_key"] == [] and table["foreign_keys"] == []


def test_workspace_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AISER_WORKSPACE", str(tmp_path / "from-env"))
    assert aiser("query", "create table t as select 7 as x") == 0
    assert (tmp_path / "from-env" / "data.duckdb").exists()


def test_sql_from_standard_input(ws: Path) -> None:
    result = _run_cli(
        ["query", "-", "--format", "csv", "--workspace", str(ws)], "select 41 + 1 as a"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ['"a"', "42"]


def test_entry_point_reports_errors_without_a_traceback(ws: Path) -> None:
    result = _run_cli(["query", "selec 1", "--workspace", str(ws)])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("aiser: Parser error at line 1, column 1")


def _run_cli(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiser_desktop", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
        check=False,
    )


def test_history_lists_what_ran_with_rows_and_failures(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aiser("query", "select * from range(12)", "--workspace", ws)
    aiser("query", "select nosuch", "--workspace", ws)
    capsys.readouterr()
    assert aiser("history", "--workspace", ws) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("12 rows  select * from range(12)")
    assert lines[1].endswith("failed  select nosuch")

    assert aiser("history", "--json", "--limit", "1", "--workspace", ws) == 0
    [last] = json.loads(capsys.readouterr().out)
    assert last["sql"] == "select nosuch" and last["status"] == "failed"
    assert "nosuch" in last["error"]
    assert last["started_at"].endswith("+00:00")


@pytest.mark.slow
def test_a_long_query_shows_progress_on_a_terminal(ws: Path) -> None:
    import pty

    assert (
        aiser("query", "create table big as select i from range(8000000) t(i)", "--workspace", ws)
        == 0
    )
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "aiser_desktop",
                "query",
                "select i % 1000 as g, count(distinct md5(i::varchar)) from big group by 1",
                "--max-rows",
                "1",
                "--workspace",
                str(ws),
            ],
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=120,
            check=False,
        )
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 0
    assert b"%  (Ctrl+C cancels)" in shown
    assert b"first 1 row shown" in proc.stdout


def test_a_broken_settings_file_warns_and_uses_the_defaults(
    ws: Path, private_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = private_dirs / "config" / "aiser-desktop" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text("theme = = 1\n", encoding="utf-8")
    assert aiser("query", "select 5 as n", "--format", "csv", "--workspace", ws) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == ['"n"', "5"]
    assert str(settings) in out.err and "line 1" in out.err and "defaults" in out.err


def test_a_damaged_database_file_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "damaged"
    ws.mkdir()
    (ws / "data.duckdb").write_bytes(b"this is not a database" * 100)
    assert aiser("query", "select 1", "--workspace", ws) == 1
    err = capsys.readouterr().err
    assert "damaged or is not a DuckDB database" in err and "Move the file away" in err
    # The workspace is not left locked.
    (ws / "data.duckdb").unlink()
    assert aiser("query", "select 1", "--workspace", ws) == 0


# ---------------------------------------------------------------------- sources
def query_csv(capsys: pytest.CaptureFixture[str], ws: Path, sql: str) -> list[str]:
    """Runs ``sql`` with --format csv and returns the lines printed."""
    capsys.readouterr()
    assert aiser("query", sql, "--format", "csv", "--workspace", ws) == 0
    return capsys.readouterr().out.splitlines()


def _json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> object:
    capsys.readouterr()
    assert aiser(*args) == 0
    return json.loads(capsys.readouterr().out)


def test_import_of_several_locations_goes_on_past_a_failure(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    north, south = tmp_path / "north.csv", tmp_path / "south.csv"
    north.write_text("x\n1\n2\n", encoding="utf-8")
    south.write_text("x\n3\n", encoding="utf-8")
    missing = tmp_path / "missing.csv"
    assert aiser("import", north, missing, south, "--workspace", ws) == 1
    out = capsys.readouterr()
    assert "added north (csv, imported): 2 rows, 1 column" in out.out
    assert "added south (csv, imported): 1 row, 1 column" in out.out
    assert f"aiser: {missing}: The file '{missing}' does not exist." in out.err
    sources = _json(capsys, "sources", "--json", "--workspace", ws)
    assert [s["name"] for s in sources] == ["north", "south"]  # type: ignore[index]


def test_import_linked_with_reading_options(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "semicolons.txt"
    data.write_text("a;b\n1;x\n2;y\n", encoding="utf-8")
    args = ("import", data, "--link", "--option", "delim=;", "--option", "header=true")
    assert aiser(*args, "--workspace", ws) == 0
    assert "added semicolons (csv, linked): 2 columns (rows not counted" in capsys.readouterr().out
    [source] = _json(capsys, "sources", "--json", "--workspace", ws)  # type: ignore[misc]
    assert source["mode"] == "linked" and source["refreshed_at"] is None
    assert source["tables"][0]["row_count"] == -1  # not counted: it would read the file
    assert [c["name"] for c in source["tables"][0]["columns"]] == ["a", "b"]
    # Linked: the file is read in place, so a change shows at once.
    data.write_text("a;b\n1;x\n2;y\n3;z\n", encoding="utf-8")
    assert query_csv(capsys, ws, "select count(*) as n from semicolons") == ['"n"', "3"]


def test_option_values_are_json_when_they_parse() -> None:
    from aiser_desktop.cli_sources import parse_option

    assert parse_option("header=true") == ("header", True)
    assert parse_option("skip=2") == ("skip", 2)
    assert parse_option('nullstr=["NA", ""]') == ("nullstr", ["NA", ""])
    assert parse_option("delim=;") == ("delim", ";")
    assert parse_option("schema=sales") == ("schema", "sales")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--option", "nokey"], "is not KEY=VALUE"),
        (["--link", "--import"], "not allowed with argument"),
    ],
)
def test_bad_import_arguments_are_usage_errors(
    ws: Path, sample_csv: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        aiser("import", sample_csv, *args, "--workspace", ws)
    assert exited.value.code == 2
    assert expected in capsys.readouterr().err


def test_one_name_for_several_locations_is_refused(
    ws: Path, sample_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert aiser("import", sample_csv, sample_csv, "--name", "x", "--workspace", ws) == 2
    assert "--name names one source" in capsys.readouterr().err
    assert aiser("sources", "--workspace", ws) == 0
    assert "No sources" in capsys.readouterr().out


def test_a_remote_source_needs_allow_network(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Refused before anything goes online (the test's socket guard would fail otherwise).
    assert aiser("import", "https://example.org/data/sales.csv", "--workspace", ws) == 1
    err = capsys.readouterr().err
    assert "the network is off for it" in err and "--allow-network" in err


@pytest.fixture
def shop_sqlite(tmp_path: Path) -> Path:
    import sqlite3

    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT);"
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, "
            "customer_id INTEGER REFERENCES customers(id), total REAL);"
            "INSERT INTO customers VALUES (1, 'ann@example.org'), (2, 'bo@example.org');"
            "INSERT INTO orders VALUES (10, 1, 9.5), (11, 2, 3.0);"
        )
    db.close()
    return path


def test_sqlite_url_then_mode_refresh_and_remove(
    ws: Path, shop_sqlite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert aiser("import", f"sqlite:///{shop_sqlite}", "--workspace", ws) == 0
    out = capsys.readouterr().out
    assert "added shop (sqlite, linked): 2 tables" in out
    assert "  shop.orders: 3 columns (rows not counted" in out
    [source] = _json(capsys, "sources", "--json", "--workspace", ws)  # type: ignore[misc]
    tables = {t["sql_name"]: t for t in source["tables"]}
    assert tables["shop.orders"]["primary_key"] == ["id"]
    assert tables["shop.orders"]["foreign_keys"] == [
        {"columns": ["customer_id"], "references": "shop.customers", "references_columns": ["id"]}
    ]
    email = next(c for c in tables["shop.customers"]["columns"] if c["name"] == "email")
    assert email["semantic"] == "email"

    assert aiser("mode", "shop", "imported", "--workspace", ws) == 0
    assert "shop is imported: copied into the workspace (snapshot " in capsys.readouterr().out
    [source] = _json(capsys, "sources", "--json", "--workspace", ws)  # type: ignore[misc]
    assert source["mode"] == "imported" and source["refreshed_at"]
    assert {t["sql_name"]: t["row_count"] for t in source["tables"]} == {
        "shop.customers": 2,
        "shop.orders": 2,
    }
    shop_sqlite.unlink()  # a snapshot no longer needs the file...
    assert query_csv(capsys, ws, "select sum(total) as t from shop.orders") == ['"t"', "12.5"]
    # ...but refreshing it does, and a failed refresh keeps the old snapshot.
    assert aiser("refresh", "shop", "--workspace", ws) == 1
    assert "shop.sqlite" in capsys.readouterr().err
    assert query_csv(capsys, ws, "select count(*) as n from shop.orders") == ['"n"', "2"]

    assert aiser("remove", "shop", "nosuch", "--workspace", ws) == 1
    out = capsys.readouterr()
    assert "removed shop" in out.out
    assert "There is no source named 'nosuch'" in out.err
    assert _json(capsys, "sources", "--json", "--workspace", ws) == []


def test_refresh_gives_a_new_snapshot(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "daily.csv"
    data.write_text("n\n1\n", encoding="utf-8")
    aiser("import", data, "--workspace", ws)
    data.write_text("n\n1\n2\n", encoding="utf-8")
    capsys.readouterr()
    assert aiser("refresh", "daily", "--workspace", ws) == 0
    assert "refreshed daily: a new snapshot at " in capsys.readouterr().out
    assert query_csv(capsys, ws, "select count(*) as n from daily") == ['"n"', "2"]


def test_sources_text_shows_mode_columns_and_semantic_types(
    ws: Path, sample_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aiser("import", sample_csv, "--workspace", ws)
    capsys.readouterr()
    assert aiser("sources", "--workspace", ws) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("sales  (csv, imported, snapshot 20")
    assert lines[0].endswith(str(sample_csv))
    assert lines[1] == "  sales  3 rows"
    assert "      sold_on  date  [date]" in lines


# ---------------------------------------------------------------------- passwords
PASSWORD = "Pw-7f3e-never-stored"


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A schema of its own in the shared PostgreSQL database, with a table of many types."""
    import uuid

    import psycopg

    schema = f"aiser_cli_{uuid.uuid4().hex[:10]}"
    with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=root", autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
        con.execute(
            f"CREATE TABLE {schema}.payments (id integer PRIMARY KEY, amount numeric(10,2), "
            "paid_at timestamptz, note text, meta jsonb)"
        )
        con.execute(
            f"INSERT INTO {schema}.payments VALUES (1, 12.50, '2024-03-01 10:00+01', 'café', "
            "'{\"a\": 1}'), (2, NULL, NULL, NULL, NULL)"
        )
    try:
        yield schema
    finally:
        with psycopg.connect(
            "host=127.0.0.1 port=5432 dbname=test user=root", autocommit=True
        ) as con:
            con.execute(f"DROP SCHEMA {schema} CASCADE")


def _nowhere(ws: Path, secret: str) -> None:
    """Fails if ``secret`` is in any file of the workspace or in the log."""
    from aiser_desktop.core.config import log_path

    files = [p for p in ws.rglob("*") if p.is_file()]
    if log_path().exists():
        files.append(log_path())
    for path in files:
        assert secret.encode() not in path.read_bytes(), f"the password is in {path}"


def test_a_password_in_the_url_goes_to_the_keyring_only(
    ws: Path, pg_schema: str, capsys: pytest.CaptureFixture[str], memory_keyring: object
) -> None:
    url = f"postgresql://root:{PASSWORD}@127.0.0.1:5432/test"
    args = ("import", url, "--name", "pg", "--option", f"schema={pg_schema}", "--import")
    assert aiser(*args, "--workspace", ws) == 0
    out = capsys.readouterr()
    assert "added pg (postgres, imported): 1 table" in out.out
    assert PASSWORD not in out.out + out.err
    [source] = _json(capsys, "sources", "--json", "--workspace", ws)  # type: ignore[misc]
    assert source["location"] == "postgresql://root@127.0.0.1:5432/test"
    assert [t["row_count"] for t in source["tables"]] == [2]
    assert PASSWORD in memory_keyring.passwords.values()  # type: ignore[attr-defined]
    _nowhere(ws, PASSWORD)
    assert (
        aiser(
            "query",
            "select sum(amount) as s from pg.payments",
            "--format",
            "csv",
            "--workspace",
            ws,
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines() == ['"s"', "12.50"]
    assert aiser("remove", "pg", "--workspace", ws) == 0
    assert PASSWORD not in memory_keyring.passwords.values()  # type: ignore[attr-defined]


def test_password_from_standard_input(
    ws: Path,
    pg_schema: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: object,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    url = "postgresql://root@127.0.0.1:5432/test"
    args = ("import", url, "--name", "pg", "--option", f"schema={pg_schema}", "--password-stdin")
    assert aiser(*args, "--workspace", ws) == 0
    assert "added pg (postgres, linked)" in capsys.readouterr().out
    assert PASSWORD in memory_keyring.passwords.values()  # type: ignore[attr-defined]
    _nowhere(ws, PASSWORD)


def test_password_stdin_with_nothing_there_says_how(
    ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    url = "postgresql://root@127.0.0.1:5432/test"
    assert aiser("import", url, "--password-stdin", "--workspace", ws) == 1
    assert "found no password on standard input" in capsys.readouterr().err


def test_a_refused_connection_is_reported_without_the_password(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://root:{PASSWORD}@127.0.0.1:1/test"  # nothing listens on port 1
    assert aiser("import", url, "--workspace", ws) == 1
    err = capsys.readouterr().err
    assert "127.0.0.1" in err and PASSWORD not in err
    _nowhere(ws, PASSWORD)


@pytest.mark.slow
def test_ctrl_c_stops_an_import_and_keeps_nothing(ws: Path, tmp_path: Path) -> None:
    import pty
    import signal
    import time

    big = tmp_path / "big.csv"
    duckdb.sql(
        f"COPY (SELECT i, md5(i::VARCHAR) AS h, i * 0.5 AS x FROM range(4000000) t(i)) "
        f"TO '{big}' (HEADER)"
    )
    assert aiser("import", tmp_path / "nothing.csv", "--workspace", ws) == 1  # makes the ws
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiser_desktop",
            "import",
            str(big),
            "--import",
            "--workspace",
            str(ws),
        ],
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 60
    while b"(Ctrl+C cancels)" not in shown and time.monotonic() < deadline:
        shown += os.read(leader, 4096)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert b"reading big" in shown
    assert proc.returncode == 130, shown.decode(errors="replace")
    assert b"cancelled; nothing was kept" in shown
    assert b"added" not in out
    with Workspace.open(ws) as opened:
        assert opened.sources.records() == []
        assert opened.engine.execute("select count(*) from duckdb_tables()").rows() == [(0,)]
