"""The `aiser` command's headless verbs, as a person uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from aiser_desktop import __version__
from aiser_desktop.cli import main


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
    assert "added sales: 3 rows, 4 columns" in capsys.readouterr().out

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
    [table] = source["tables"]
    assert table["name"] == "sales" and table["rows"] == 3
    assert [c["name"] for c in table["columns"]] == ["region", "product", "amount", "sold_on"]
    assert {c["name"]: c["type"] for c in table["columns"]}["sold_on"] == "DATE"


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
