"""The workspace folder: its files, one process at a time, query history."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aiser_desktop.core.errors import (
    QueryCancelledError,
    QueryError,
    WorkspaceError,
    WorkspaceLockedError,
)
from aiser_desktop.core.events import QueryStarted
from aiser_desktop.core.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]

# A second process that opens the workspace, says so, and holds it until killed or told to go.
HOLDER = textwrap.dedent(
    """
    import sys
    from aiser_desktop.core.workspace import Workspace
    ws = Workspace.open(sys.argv[1])
    print("open", flush=True)
    sys.stdin.read()
    ws.close()
    """
)

# A second process that tries to open the workspace and reports what happened.
OPENER = textwrap.dedent(
    """
    import sys
    from aiser_desktop.core.errors import WorkspaceLockedError
    from aiser_desktop.core.workspace import Workspace
    try:
        Workspace.open(sys.argv[1]).close()
    except WorkspaceLockedError as exc:
        print(exc)
        sys.exit(3)
    print("opened")
    """
)


def run_opener(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", OPENER, str(folder)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A second process holding the workspace ``tmp_path / "ws"`` open."""
    folder = tmp_path / "ws"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "open", proc.stderr.read() if proc.stderr else ""
        yield proc, folder
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


# ---------------------------------------------------------------------- the folder
def test_open_creates_the_folder_and_its_two_files(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "ws"
    with Workspace.open(folder) as ws:
        assert ws.path == folder
        assert (folder / "data.duckdb").is_file()
        assert (folder / "state.sqlite").is_file()


def test_reopening_keeps_sources_data_and_history(tmp_path: Path, sample_csv: Path) -> None:
    folder = tmp_path / "ws"
    with Workspace.open(folder) as ws:
        ws.sources.add_file(sample_csv)
        ws.engine.execute("CREATE TABLE notes AS SELECT 'kept' AS note")
        ws.engine.execute("SELECT count(*) FROM sales")

    with Workspace.open(folder) as ws:
        assert [s.name for s in ws.sources.records()] == ["sales"]
        assert ws.engine.execute("SELECT count(*) FROM sales").rows() == [(3,)]
        assert ws.engine.execute("SELECT note FROM notes").rows() == [("kept",)]
        statements = [h.sql for h in ws.state.history()]
        assert "SELECT count(*) FROM sales" in statements  # the last one before close too
        assert "CREATE TABLE notes AS SELECT 'kept' AS note" in statements


def test_a_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        Workspace.open(path)
    assert str(path) in str(caught.value)
    assert "is a file" in str(caught.value)


def test_create_false_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no workspace"):
        Workspace.open(tmp_path / "missing", create=False)
    assert not (tmp_path / "missing").exists()


def test_a_damaged_state_file_is_a_workspace_error(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "state.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(WorkspaceError) as caught:
        Workspace.open(folder)
    assert str(folder) in str(caught.value)
    # The lock was let go: once the file is moved away, the workspace opens.
    (folder / "state.sqlite").unlink()
    Workspace.open(folder).close()


# ---------------------------------------------------------------------- one process at a time
def test_a_second_open_in_the_same_process_is_refused(workspace: Workspace) -> None:
    with pytest.raises(WorkspaceLockedError) as caught:
        Workspace.open(workspace.path)
    message = str(caught.value)
    assert str(workspace.path) in message
    assert "already open" in message
    assert f"pid {os.getpid()}" in message  # who holds it
    # The first one is unharmed.
    assert workspace.engine.execute("SELECT 1").rows() == [(1,)]
    assert workspace.sources.records() == []


def test_a_second_process_is_refused_while_the_first_works(workspace: Workspace) -> None:
    result = run_opener(workspace.path)
    assert result.returncode == 3, result.stderr
    assert str(workspace.path) in result.stdout
    assert "already open" in result.stdout
    assert "--workspace" in result.stdout  # what to do next
    assert workspace.engine.execute("SELECT 42").rows() == [(42,)]


def test_this_process_is_refused_while_another_holds_it(
    holder: tuple[subprocess.Popen[str], Path],
) -> None:
    proc, folder = holder
    with pytest.raises(WorkspaceLockedError) as caught:
        Workspace.open(folder)
    assert f"pid {proc.pid}" in str(caught.value)
    proc.communicate("", timeout=30)  # let it close normally
    assert proc.returncode == 0
    Workspace.open(folder).close()


def test_the_lock_is_released_on_close(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    Workspace.open(folder).close()
    with Workspace.open(folder) as ws:
        assert ws.engine.execute("SELECT 1").rows() == [(1,)]


def test_the_lock_is_released_when_the_holder_is_killed(
    holder: tuple[subprocess.Popen[str], Path],
) -> None:
    proc, folder = holder
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(10) == -signal.SIGKILL
    with Workspace.open(folder) as ws:
        assert ws.engine.execute("SELECT 1").rows() == [(1,)]


# ---------------------------------------------------------------------- history
def test_history_records_finished_failed_and_cancelled_queries(
    workspace: Workspace, wait_until: Callable[..., None]
) -> None:
    workspace.engine.execute("SELECT * FROM range(25)")
    with pytest.raises(QueryError):
        workspace.engine.execute("SELECT * FROM nowhere")

    started = threading.Event()
    unsubscribe = workspace.hub.subscribe(QueryStarted, lambda _m: started.set())
    long_sql = "SELECT sum(a.x * b.y) FROM range(200000) a(x), range(200000) b(y)"
    job = workspace.engine.submit(long_sql)
    assert started.wait(10)
    job.cancel()
    with pytest.raises(QueryCancelledError):
        job.result(10)
    unsubscribe()

    # History is written just after the result is handed over.
    wait_until(lambda: len(workspace.state.history()) == 3)
    cancelled, failed, finished = workspace.state.history()

    assert (finished.sql, finished.status, finished.rows) == (
        "SELECT * FROM range(25)",
        "finished",
        25,
    )
    assert finished.error is None
    assert (failed.status, failed.rows) == ("failed", None)
    assert "nowhere" in (failed.error or "")
    assert (cancelled.sql, cancelled.status) == (long_sql, "cancelled")
    for row in (finished, failed, cancelled):
        assert 0 < row.seconds < 30
        assert row.started_at is not None
    assert finished.id < failed.id < cancelled.id


def test_history_is_newest_first_and_limited(
    workspace: Workspace, wait_until: Callable[..., None]
) -> None:
    for i in range(5):
        workspace.engine.execute(f"SELECT {i}")
    wait_until(lambda: len(workspace.state.history()) == 5)
    assert [h.sql for h in workspace.state.history(limit=2)] == ["SELECT 4", "SELECT 3"]
