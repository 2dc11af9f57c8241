"""Web sources against a real HTTP server on 127.0.0.1, run in a thread by each test.

The server records every request it gets, so a test can prove that nothing was fetched
without the person's consent. Buckets (S3, GCS) cannot be reached here; for them the tests
check that nothing is tried while the network is off.
"""

from __future__ import annotations

import base64
import functools
import sqlite3
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from aiser_desktop.core.errors import QueryCancelledError, SourceError
from aiser_desktop.core.sources import registry
from aiser_desktop.core.sources.manager import NetworkDisabledError
from aiser_desktop.core.workspace import Workspace


class Server:
    """A file server on 127.0.0.1 that remembers the requests it answered."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[tuple[str, str, str | None]] = []
        seen = self.requests

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                seen.append((self.command, self.path, self.headers.get("Authorization")))

        self._httpd = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
        )
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self.running = True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        if self.running:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self.running = False


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path / "www"
    root.mkdir()
    (root / "sales.csv").write_text(
        "region,amount\nnorth,10.5\nsouth,7.25\nnorth,3.0\n", encoding="utf-8"
    )
    (root / "orders.json").write_text(
        '[{"id": 1, "item": "pen"}, {"id": 2, "item": "ink"}]', encoding="utf-8"
    )
    pq.write_table(pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]}), root / "people.parquet")
    (root / "export").write_text("id,name\n1,a\n2,b\n", encoding="utf-8")
    srv = Server(root)
    try:
        yield srv
    finally:
        srv.stop()


def test_without_network_consent_nothing_is_fetched(workspace: Workspace, server: Server) -> None:
    url = server.url("sales.csv")
    assert registry.for_location(url).name == "web"

    with pytest.raises(NetworkDisabledError) as caught:
        workspace.sources.add(url)
    assert url in str(caught.value)
    assert "Allow the network" in caught.value.hint
    assert server.requests == []
    assert workspace.sources.records() == []


@pytest.mark.parametrize(
    ("path", "name", "rows"),
    [
        ("sales.csv", "sales", [("north", 10.5), ("south", 7.25), ("north", 3.0)]),
        ("people.parquet", "people", [(1, "a"), (2, "b"), (3, "c")]),
        ("orders.json", "orders", [(1, "pen"), (2, "ink")]),
    ],
)
def test_with_consent_the_file_is_imported(
    workspace: Workspace, server: Server, path: str, name: str, rows: list[tuple[Any, ...]]
) -> None:
    row = workspace.sources.add(server.url(path), network=True)

    assert (row.name, row.connector, row.mode, row.network) == (name, "web", "imported", True)
    assert workspace.engine.execute(f"SELECT * FROM {name}").rows() == rows
    [info] = workspace.sources.catalog()
    assert info.tables[0].row_count == len(rows)
    assert info.refreshed_at is not None
    assert any(p == f"/{path}" for _m, p, _a in server.requests)


def test_a_web_source_cannot_be_linked(workspace: Workspace, server: Server) -> None:
    with pytest.raises(SourceError, match="cannot be linked"):
        workspace.sources.add(server.url("sales.csv"), network=True, mode="linked")
    assert server.requests == []
    assert workspace.sources.records() == []


def test_the_copy_answers_offline_and_a_failed_refresh_keeps_it(
    workspace: Workspace, server: Server
) -> None:
    url = server.url("sales.csv")
    workspace.sources.add(url, network=True)
    before = workspace.sources.catalog()[0]
    server.stop()

    assert workspace.engine.execute("SELECT sum(amount) FROM sales").rows() == [(20.75,)]
    with pytest.raises(SourceError) as caught:
        workspace.sources.refresh("sales")
    text = str(caught.value)
    assert "Cannot reach '127.0.0.1'" in text and url in text
    assert "copy fetched before stays usable" in caught.value.hint
    assert workspace.engine.execute("SELECT count(*) FROM sales").rows() == [(3,)]
    assert workspace.sources.catalog()[0].refreshed_at == before.refreshed_at


def test_refresh_fetches_the_new_data(workspace: Workspace, server: Server) -> None:
    workspace.sources.add(server.url("sales.csv"), network=True)
    (server.root / "sales.csv").write_text("region,amount\neast,1.0\n", encoding="utf-8")

    workspace.sources.refresh("sales")

    assert workspace.engine.execute("SELECT * FROM sales").rows() == [("east", 1.0)]
    assert workspace.sources.catalog()[0].tables[0].row_count == 1


def test_a_missing_page_names_the_address(workspace: Workspace, server: Server) -> None:
    url = server.url("nothing-here.csv")
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(url, network=True)
    assert f"'{url}' answered HTTP 404 Not Found" in str(caught.value)
    assert "Check the address" in caught.value.hint
    assert workspace.sources.records() == []
    assert workspace.engine.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'nothing_here'"
    ).rows() == [(0,)]


def test_an_address_without_a_suffix_needs_a_format(workspace: Workspace, server: Server) -> None:
    url = server.url("export")
    with pytest.raises(SourceError, match="format=csv"):
        workspace.sources.add(url, network=True)
    assert server.requests == []  # refused before anything was fetched

    workspace.sources.add(url, network=True, options={"format": "csv", "header": True})
    assert workspace.engine.execute("SELECT * FROM export ORDER BY id").rows() == [
        (1, "a"),
        (2, "b"),
    ]
    assert workspace.sources.records()[0].options == {"format": "csv", "header": True}

    with pytest.raises(SourceError, match="not a format"):
        workspace.sources.add(url, name="other", network=True, options={"format": "xlsx"})


def test_a_token_is_sent_and_kept_only_in_the_keyring(
    workspace: Workspace, server: Server, memory_keyring: Any
) -> None:
    token = "tok-9f8e7d6c5b4a"
    workspace.sources.add(server.url("sales.csv"), network=True, secret=token)

    assert {auth for _m, _p, auth in server.requests} == {f"Bearer {token}"}
    assert token in memory_keyring.passwords.values()
    record = workspace.sources.records()[0]
    assert record.secret_ref and token not in record.location
    workspace.close()
    for path in workspace.path.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    with sqlite3.connect(workspace.path / "state.sqlite") as db:
        dump = "\n".join(db.iterdump())
    assert token not in dump


def test_a_password_in_the_address_is_sent_as_basic_auth_and_never_stored(
    workspace: Workspace, server: Server
) -> None:
    password = "pw-Secr3t-4567"
    url = f"http://ann:{password}@127.0.0.1:{server.port}/sales.csv"
    workspace.sources.add(url, network=True)

    expected = "Basic " + base64.b64encode(f"ann:{password}".encode()).decode()
    assert {auth for _m, _p, auth in server.requests} == {expected}
    record = workspace.sources.records()[0]
    assert record.location == f"http://ann@127.0.0.1:{server.port}/sales.csv"

    # A failure's message carries the address, never the password.
    server.stop()
    with pytest.raises(SourceError) as caught:
        workspace.sources.refresh("sales")
    assert password not in str(caught.value)


@pytest.mark.parametrize(
    "location",
    ["s3://bucket/sales.csv", "gs://bucket/data/people.parquet", "gcs://bucket/x.json"],
)
def test_a_bucket_file_is_refused_while_the_network_is_off(
    workspace: Workspace, location: str
) -> None:
    assert registry.for_location(location).name == "web"
    with pytest.raises(NetworkDisabledError):
        workspace.sources.add(location)
    assert workspace.sources.records() == []


class _SlowHandler(SimpleHTTPRequestHandler):
    """Sends files at about 1 MB/s, so a fetch is still under way when it is cancelled."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def copyfile(self, source: Any, outputfile: Any) -> None:
        import time

        while chunk := source.read(16_384):
            try:
                outputfile.write(chunk)
            except OSError:  # the client hung up: the cancel worked
                return
            time.sleep(0.016)


def test_a_slow_fetch_is_cancelled_at_once_and_keeps_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    import time

    import duckdb

    root = tmp_path / "slow"
    root.mkdir()
    duckdb.sql(
        f"COPY (SELECT i, md5(i::VARCHAR) AS h FROM range(300000) t(i)) "
        f"TO '{root / 'big.csv'}' (HEADER)"
    )
    httpd = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_SlowHandler, directory=str(root))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/big.csv"
        timer = threading.Timer(1.0, workspace.engine.interrupt)
        timer.start()
        started = time.monotonic()
        with pytest.raises(QueryCancelledError, match="nothing was kept"):
            workspace.sources.add(url, network=True)
        assert time.monotonic() - started < 5  # the whole file would take about 13 s
        assert workspace.sources.records() == []
        assert workspace.engine.execute("SELECT count(*) FROM duckdb_tables()").rows() == [(0,)]
    finally:
        httpd.shutdown()
        httpd.server_close()
