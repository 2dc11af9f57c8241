"""PostgreSQL, MariaDB, SQLite and SQLAlchemy URLs against the real servers on this machine.

Every test makes its own database (unique name) on the shared servers and drops it at the
end. Expected values are the ones the test wrote into the database; nothing is mocked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from aiser_desktop.core.errors import SourceError
from aiser_desktop.core.sources import registry
from aiser_desktop.core.sources.base import Mode
from aiser_desktop.core.workspace import Workspace
from tests.conftest import MemoryKeyring
from tests.samples import databases as samples

UTC = dt.UTC
# Rows with every kind of value a person's database holds: integers, decimals, text with
# accents and emoji, timestamps with time zones, JSON, booleans, dates and NULLs.
ORDERS = [
    (
        1, 10, 9_000_000_000, Decimal("12.50"), "Zoë's café ☕",
        dt.datetime(2024, 1, 3, 9, 30, tzinfo=UTC), {"tags": ["a", "b"], "n": 1}, True,
        dt.date(2024, 1, 3),
    ),
    (
        2, 10, -5, Decimal("-0.01"), "日本語テキスト",
        dt.datetime(2024, 6, 30, 23, 59, 59, tzinfo=UTC), [], False, dt.date(2024, 6, 30),
    ),
    (3, 20, None, None, None, None, None, None, None),
]  # fmt: skip
CUSTOMERS = [(10, "Ann"), (20, "Bo")]


def _pg_fill(database: str) -> None:
    with samples.pg_connect(database) as con:
        con.execute("CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL)")
        con.execute(
            "CREATE TABLE orders (id integer PRIMARY KEY, "
            "customer_id integer REFERENCES customers(id), big bigint, amount numeric(12,2), "
            "note text, placed_at timestamptz, details jsonb, paid boolean, due date)"
        )
        con.execute("CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 1")
        with con.cursor() as cur:
            cur.executemany("INSERT INTO customers VALUES (%s, %s)", CUSTOMERS)
            cur.executemany(
                "INSERT INTO orders VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [(*r[:6], None if r[6] is None else json.dumps(r[6]), *r[7:]) for r in ORDERS],
            )


def _my_fill(database: str) -> None:
    con = samples.my_connect(database)
    try:
        cur = con.cursor()
        cur.execute("CREATE TABLE customers (id int PRIMARY KEY, name varchar(50) NOT NULL)")
        cur.execute(
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int, big bigint, "
            "amount decimal(12,2), note text, placed_at datetime(6), details json, "
            "paid boolean, due date, FOREIGN KEY (customer_id) REFERENCES customers(id))"
        )
        cur.executemany("INSERT INTO customers VALUES (%s, %s)", CUSTOMERS)
        cur.executemany(
            "INSERT INTO orders VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    *r[:5],
                    None if r[5] is None else r[5].replace(tzinfo=None),
                    None if r[6] is None else json.dumps(r[6]),
                    *r[7:],
                )
                for r in ORDERS
            ],
        )
    finally:
        con.close()


@pytest.fixture
def pg_db() -> Iterator[str]:
    name = samples.pg_database("aiser_test")
    try:
        _pg_fill(name)
        yield name
    finally:
        samples.drop_pg_database(name)


@pytest.fixture
def my_db() -> Iterator[str]:
    name = samples.my_database("aiser_test")
    try:
        _my_fill(name)
        yield name
    finally:
        samples.drop_my_database(name)


@pytest.fixture
def my_user(my_db: str) -> Iterator[tuple[str, str]]:
    """A MariaDB user with a password, allowed to read ``my_db``."""
    user = samples.unique_name("aiser_u")[:30]
    password = "pw-" + samples.unique_name("x")[-10:] + "!;'\"@:/ é"
    con = samples.my_connect()
    try:
        cur = con.cursor()
        for host in ("%", "localhost"):
            cur.execute("CREATE USER %s@%s IDENTIFIED BY %s", (user, host, password))
            cur.execute(f"GRANT SELECT ON `{my_db}`.* TO %s@%s", (user, host))
        yield user, password
    finally:
        cur = con.cursor()
        for host in ("%", "localhost"):
            cur.execute("DROP USER IF EXISTS %s@%s", (user, host))
        con.close()


def _pg_url(database: str) -> str:
    return f"postgresql://{samples.PG_USER}@{samples.PG_HOST}:{samples.PG_PORT}/{database}"


def _my_url(database: str, user: str = "root", password: str = "") -> str:
    from urllib.parse import quote

    auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    return f"mysql://{auth}@{samples.MY_HOST}:{samples.MY_PORT}/{database}"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _leftovers(ws: Workspace, name: str) -> list[tuple[str, str]]:
    return ws.engine.execute(
        "SELECT 'schema', schema_name FROM duckdb_schemas() WHERE schema_name ILIKE "
        f"'%{name}%' UNION ALL SELECT 'database', database_name FROM duckdb_databases() "
        f"WHERE database_name ILIKE '%{name}%' UNION ALL SELECT 'table', table_name "
        f"FROM duckdb_tables() WHERE table_name ILIKE '%{name}%' OR schema_name ILIKE '%{name}%'"
    ).rows()


def _orders(ws: Workspace, sql_name: str) -> list[dict[str, object]]:
    table = ws.engine.execute(f"SELECT * FROM {sql_name} ORDER BY id").table
    return table.to_pylist()


def _check_orders(rows: list[dict[str, object]], *, tz: bool = True) -> None:
    assert [r["id"] for r in rows] == [o[0] for o in ORDERS]
    for row, want in zip(rows, ORDERS, strict=True):
        assert row["customer_id"] == want[1]
        assert row["big"] == want[2]
        assert row["amount"] == want[3]
        assert row["note"] == want[4]
        placed = row["placed_at"]
        if want[5] is None:
            assert placed is None
        elif tz:
            assert placed == want[5]  # an aware datetime: the same instant
        else:
            assert placed == want[5].replace(tzinfo=None)
        assert (None if row["details"] is None else json.loads(str(row["details"]))) == want[6]
        assert (None if row["paid"] is None else bool(row["paid"])) == want[7]
        assert row["due"] == want[8]


# ---------------------------------------------------------------------- PostgreSQL
def test_postgres_linked_is_queried_in_place_with_filters_pushed_down(
    workspace: Workspace, pg_db: str
) -> None:
    row = workspace.sources.add(_pg_url(pg_db), name="shop")
    assert (row.connector, row.mode) == ("postgres", "linked")
    assert row.tables == ["big_orders", "customers", "orders"]
    _check_orders(_orders(workspace, "shop.orders"))

    plan = workspace.engine.execute(
        "EXPLAIN SELECT note FROM shop.orders WHERE customer_id = 20"
    ).rows()[0][1]
    scan = plan[plan.index("POSTGRES_SCAN") :]
    assert "customer_id=20" in scan.replace(" ", "")  # the filter runs in PostgreSQL
    assert "placed_at" not in scan  # only the columns asked for are read

    # Linked means live: a row added in PostgreSQL shows at once.
    with samples.pg_connect(pg_db) as con:
        con.execute("INSERT INTO customers VALUES (30, 'Cy')")
    assert workspace.engine.execute("SELECT count(*) FROM shop.customers").rows() == [(3,)]
    assert workspace.engine.execute("SELECT count(*) FROM shop.big_orders").rows() == [(1,)]

    [info] = workspace.sources.catalog()
    assert info.refreshed_at is None
    tables = {t.table: t for t in info.tables}
    assert tables["orders"].primary_key == ("id",)
    [fk] = tables["orders"].foreign_keys
    assert (fk.columns, fk.references, fk.references_columns) == (
        ("customer_id",),
        "shop.customers",
        ("id",),
    )
    types = {c.name: c.type for c in tables["orders"].columns}
    assert types["amount"] == "DECIMAL(12,2)"
    assert types["placed_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["big"] == "BIGINT"


def test_postgres_snapshot_refresh_and_both_mode_switches(workspace: Workspace, pg_db: str) -> None:
    before = dt.datetime.now(UTC)
    workspace.sources.add(_pg_url(pg_db), name="shop", mode="imported")
    [info] = workspace.sources.catalog()
    assert info.mode == "imported"
    assert info.refreshed_at is not None and info.refreshed_at >= before - dt.timedelta(seconds=1)
    assert {t.sql_name: t.row_count for t in info.tables}["shop.orders"] == 3
    _check_orders(_orders(workspace, "shop.orders"))
    # A snapshot is not attached: nothing of the import alias is left in the session.
    assert workspace.engine.execute(
        "SELECT count(*) FROM duckdb_databases() WHERE database_name ILIKE '%import%'"
    ).rows() == [(0,)]

    with samples.pg_connect(pg_db) as con:
        con.execute("INSERT INTO customers VALUES (30, 'Cy')")
    assert workspace.engine.execute("SELECT count(*) FROM shop.customers").rows() == [(2,)]
    first = info.refreshed_at
    time.sleep(0.01)
    workspace.sources.refresh("shop")
    [info] = workspace.sources.catalog()
    assert info.refreshed_at is not None and info.refreshed_at > first
    assert workspace.engine.execute("SELECT count(*) FROM shop.customers").rows() == [(3,)]

    workspace.sources.set_mode("shop", Mode.LINKED)
    [info] = workspace.sources.catalog()
    assert (info.mode, info.refreshed_at) == ("linked", None)
    with samples.pg_connect(pg_db) as con:
        con.execute("INSERT INTO customers VALUES (40, 'Di')")
    assert workspace.engine.execute("SELECT count(*) FROM shop.customers").rows() == [(4,)]
    assert workspace.engine.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name <> 'shop' "
        "AND schema_name = 'shop'"
    ).rows() == [(0,)]  # the copied tables went with the snapshot

    workspace.sources.set_mode("shop", Mode.IMPORTED)
    _check_orders(_orders(workspace, "shop.orders"))
    assert (
        workspace.engine.execute(
            "SELECT database_name FROM duckdb_databases() WHERE database_name = 'shop'"
        ).rows()
        == []
    )

    workspace.sources.remove("shop")
    assert _leftovers(workspace, "shop") == []
    assert workspace.sources.records() == []


def test_postgres_schema_option_shows_that_schema(workspace: Workspace, pg_db: str) -> None:
    with samples.pg_connect(pg_db) as con:
        con.execute("CREATE SCHEMA sales")
        con.execute("CREATE TABLE sales.targets (region text PRIMARY KEY, goal numeric(8,1))")
        con.execute("INSERT INTO sales.targets VALUES ('north', 10.5)")
    row = workspace.sources.add(_pg_url(pg_db), name="sales", options={"schema": "sales"})
    assert row.tables == ["targets"]
    assert workspace.engine.execute("SELECT * FROM sales.targets").rows() == [
        ("north", Decimal("10.5"))
    ]
    [info] = workspace.sources.catalog()
    assert info.tables[0].primary_key == ("region",)


def test_linked_database_is_attached_again_when_the_workspace_reopens(
    tmp_path: Path, pg_db: str
) -> None:
    with Workspace.open(tmp_path / "ws") as ws:
        ws.sources.add(_pg_url(pg_db), name="shop")
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.engine.execute("SELECT count(*) FROM shop.orders").rows() == [(3,)]
        [info] = ws.sources.catalog()
        assert info.status == ""


class _Relay:
    """A TCP relay on 127.0.0.1 in front of PostgreSQL, to stop the "server" at will."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection((samples.PG_HOST, samples.PG_PORT))
            self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        # shutdown() first: a bare close() leaves the socket listening under the blocked
        # accept() of the other thread.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for s in self._open:
            s.close()


def test_a_stopped_database_gives_a_status_not_a_crash(tmp_path: Path, pg_db: str) -> None:
    relay = _Relay()
    url = f"postgresql://{samples.PG_USER}@127.0.0.1:{relay.port}/{pg_db}"
    with Workspace.open(tmp_path / "ws") as ws:
        ws.sources.add(url, name="shop")
        ws.sources.add(_pg_url(pg_db), name="other")
    relay.stop()
    with Workspace.open(tmp_path / "ws") as ws:
        ws.engine.execute("SELECT 1")  # queued behind the attachments made on opening
        status = {s.name: s.status for s in ws.sources.catalog()}
        assert "Nothing answers at 127.0.0.1:" in status["shop"]
        assert "Start the database server" in status["shop"]
        assert status["other"] == ""  # one database down does not stop the others
        assert ws.engine.execute("SELECT count(*) FROM other.orders").rows() == [(3,)]
        # The cached catalog still knows the stopped database's tables.
        assert [t.table for t in ws.sources.catalog()[1].tables] == [
            "big_orders",
            "customers",
            "orders",
        ]


def test_a_database_that_drops_mid_import_leaves_nothing(
    workspace: Workspace, pg_db: str, memory_keyring: MemoryKeyring
) -> None:
    with samples.pg_connect(pg_db) as con:
        con.execute(
            "CREATE TABLE events AS SELECT g AS id, md5(g::text) AS payload, "
            "now() - g * interval '1 second' AS at FROM generate_series(1, 3000000) g"
        )
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            workspace.sources.add(_pg_url(pg_db) + "?password=unused", name="big", mode="imported")
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    killed = 0
    with samples.pg_connect() as admin:
        deadline = time.monotonic() + 60
        while not killed and worker.is_alive() and time.monotonic() < deadline:
            killed = len(
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND application_name = 'aiser-desktop' "
                    "AND query ILIKE '%%COPY%%events%%'",
                    (pg_db,),
                ).fetchall()
            )
            time.sleep(0.005)
    worker.join(timeout=60)
    assert killed, "the copy finished before it could be stopped"
    [error] = outcome
    assert isinstance(error, SourceError), error
    assert "connection to 127.0.0.1:5432 was lost while reading 'big'" in str(error)
    assert "nothing was kept" in str(error)
    assert workspace.sources.records() == []
    assert _leftovers(workspace, "big") == []
    assert memory_keyring.passwords == {}  # the password did not stay behind


# ---------------------------------------------------------------------- MariaDB
@pytest.mark.parametrize("mode", [Mode.LINKED, Mode.IMPORTED])
def test_mysql_reads_every_type_both_ways(
    workspace: Workspace, my_db: str, my_user: tuple[str, str], mode: Mode
) -> None:
    user, password = my_user
    row = workspace.sources.add(_my_url(my_db, user, password), name="shop", mode=mode)
    assert (row.connector, row.mode, row.tables) == ("mysql", mode.value, ["customers", "orders"])
    assert row.secret_ref and password not in row.location
    _check_orders(_orders(workspace, "shop.orders"), tz=False)
    [info] = workspace.sources.catalog()
    tables = {t.table: t for t in info.tables}
    assert tables["customers"].primary_key == ("id",)
    [fk] = tables["orders"].foreign_keys
    assert (fk.columns, fk.references, fk.references_columns) == (
        ("customer_id",),
        "shop.customers",
        ("id",),
    )
    if mode is Mode.LINKED:
        plan = workspace.engine.execute("EXPLAIN SELECT note FROM shop.orders WHERE id = 2").rows()
        scan = plan[0][1][plan[0][1].index("MYSQL_SCAN") :]
        assert "id=2" in scan.replace(" ", "")
        assert "placed_at" not in scan
    else:
        assert info.refreshed_at is not None


def test_mysql_wrong_password_is_named_and_never_shown(
    workspace: Workspace, my_db: str, my_user: tuple[str, str], memory_keyring: MemoryKeyring
) -> None:
    user, password = my_user
    wrong = password[::-1] + "-Wr0ng"
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(_my_url(my_db, user, wrong), name="shop")
    text = str(caught.value)
    assert f"refused the login of user {user!r}: wrong user name or password" in text
    assert wrong not in text and password not in text
    assert workspace.sources.records() == []
    assert memory_keyring.passwords == {}


def test_refused_connection_and_unknown_database(workspace: Workspace) -> None:
    port = _closed_port()
    for url in (f"mysql://root@127.0.0.1:{port}/test", f"postgresql://postgres@127.0.0.1:{port}/x"):
        with pytest.raises(SourceError) as caught:
            workspace.sources.add(url, name="gone")
        assert f"Nothing answers at 127.0.0.1:{port}" in str(caught.value)
        assert "Start the database server" in caught.value.hint
    missing = samples.unique_name("nodb")
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(_pg_url(missing), name="gone")
    assert f'database "{missing}" does not exist' in str(caught.value)
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(_my_url(missing), name="gone")
    assert f"Unknown database '{missing}'" in str(caught.value)
    assert workspace.sources.records() == []
    assert _leftovers(workspace, "gone") == []


def test_a_server_that_never_answers_times_out(workspace: Workspace) -> None:
    from aiser_desktop.core.sources.databases import CONNECT_TIMEOUT

    # A listener that never accepts: the connection opens, and no server ever speaks.
    with socket.create_server(("127.0.0.1", 0), backlog=8) as silent:
        port = silent.getsockname()[1]
        for url in (
            f"postgresql://postgres@127.0.0.1:{port}/x",
            f"mysql://root@127.0.0.1:{port}/x",
        ):
            start = time.monotonic()
            with pytest.raises(SourceError) as caught:
                workspace.sources.add(url, name="silent")
            assert time.monotonic() - start < CONNECT_TIMEOUT + 10
            assert f"did not answer within {CONNECT_TIMEOUT} s" in str(caught.value)
    assert workspace.sources.records() == []


def test_a_remote_database_needs_the_network_switched_on(workspace: Workspace) -> None:
    with pytest.raises(SourceError, match="network is off"):
        workspace.sources.add("postgresql://ann@db.example.com/sales", name="remote")


# ---------------------------------------------------------------------- SQLite
def test_sqlite_file_linked_and_imported_with_keys(workspace: Workspace, tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "shop.db"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
        "CREATE TABLE orders (id INTEGER, line INTEGER, customer_id INTEGER "
        "REFERENCES customers, amount REAL, note TEXT, PRIMARY KEY (id, line));"
        "INSERT INTO customers VALUES (1, 'Zoë'), (2, NULL);"
        "INSERT INTO orders VALUES (1, 1, 1, 2.5, '☕'), (1, 2, 2, NULL, NULL);"
    )
    con.commit()
    con.close()
    assert registry.for_location(str(path)).name == "sqlite"

    row = workspace.sources.add(path)
    assert (row.name, row.mode, row.tables) == ("shop", "linked", ["customers", "orders"])
    assert workspace.engine.execute(
        "SELECT c.name, o.amount, o.note FROM shop.orders o JOIN shop.customers c "
        "ON c.id = o.customer_id ORDER BY o.line"
    ).rows() == [("Zoë", 2.5, "☕"), (None, None, None)]
    [info] = workspace.sources.catalog()
    tables = {t.table: t for t in info.tables}
    assert tables["orders"].primary_key == ("id", "line")
    [fk] = tables["orders"].foreign_keys
    assert (fk.columns, fk.references, fk.references_columns) == (
        ("customer_id",),
        "shop.customers",
        ("id",),
    )

    workspace.sources.set_mode("shop", "imported")
    path.unlink()  # a snapshot does not need the file any more
    assert workspace.engine.execute("SELECT count(*) FROM shop.orders").rows() == [(2,)]


def test_sqlite_urls_and_files_that_are_not_sqlite(workspace: Workspace, tmp_path: Path) -> None:
    import duckdb

    path = samples.write_sqlite(tmp_path / "people.sqlite3")
    workspace.sources.add(f"sqlite:///{path}", name="p")  # three slashes and an absolute path
    assert workspace.engine.execute("SELECT name FROM p.people ORDER BY id").rows() == [
        ("a",),
        ("b",),
        ("c",),
    ]

    duck = tmp_path / "other.db"
    duckdb.connect(str(duck)).close()
    assert not registry.get("sqlite").accepts(str(duck))  # a DuckDB file is not SQLite

    fake = tmp_path / "fake.sqlite"
    fake.write_text("id,name\n1,a\n", encoding="utf-8")
    with pytest.raises(SourceError, match="is not a SQLite database"):
        workspace.sources.add(fake)
    with pytest.raises(SourceError, match="does not exist"):
        workspace.sources.add(tmp_path / "missing.sqlite")
    assert [r.name for r in workspace.sources.records()] == ["p"]


# ---------------------------------------------------------------------- SQLAlchemy URLs
@pytest.mark.parametrize("adbc", [True, False], ids=["adbc", "sqlalchemy-cursor"])
def test_sqlalchemy_url_is_snapshotted_with_its_types(
    workspace: Workspace, pg_db: str, adbc: bool
) -> None:
    url = f"postgresql+psycopg://{samples.PG_USER}@{samples.PG_HOST}:{samples.PG_PORT}/{pg_db}"
    conn = registry.for_location(url)
    assert conn.name == "sqlalchemy"
    assert registry.for_location(_pg_url(pg_db)).name == "postgres"
    with pytest.raises(SourceError, match="cannot be linked"):
        workspace.sources.add(url, name="shop", mode="linked")

    row = workspace.sources.add(url, name="shop", options={"adbc": adbc})
    assert (row.mode, row.tables) == ("imported", ["big_orders", "customers", "orders"])
    _check_orders(_orders(workspace, "shop.orders"))
    [info] = workspace.sources.catalog()
    tables = {t.table: t for t in info.tables}
    types = {c.name: c.type for c in tables["orders"].columns}
    assert types["amount"] == "DECIMAL(12,2)"
    assert types["placed_at"] == "TIMESTAMP WITH TIME ZONE"
    assert tables["orders"].primary_key == ("id",)
    assert [fk.references for fk in tables["orders"].foreign_keys] == ["shop.customers"]
    assert info.refreshed_at is not None


def test_sqlalchemy_streams_in_fixed_batches(pg_db: str) -> None:
    from aiser_desktop.core.sources import sqlalchemy_url
    from aiser_desktop.core.sources.base import SourceSpec

    with samples.pg_connect(pg_db) as con:
        con.execute("CREATE TABLE n AS SELECT g AS id FROM generate_series(1, 120000) g")
    url = f"postgresql+psycopg://{samples.PG_USER}@{samples.PG_HOST}:{samples.PG_PORT}/{pg_db}"
    spec = SourceSpec("n", url, {"adbc": False})
    reader = registry.get("sqlalchemy").read_arrow(spec, "n")
    sizes = [batch.num_rows for batch in reader]
    assert sizes == [sqlalchemy_url.BATCH_ROWS] * 2 + [120000 - 2 * sqlalchemy_url.BATCH_ROWS]


def test_sqlalchemy_mysql_wrong_password_and_missing_driver(
    workspace: Workspace, my_db: str, my_user: tuple[str, str]
) -> None:
    user, password = my_user
    wrong = "Wr0ng-" + password
    url = _my_url(my_db, user, wrong).replace("mysql://", "mysql+pymysql://")
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(url, name="shop")
    assert "refused the login" in str(caught.value)
    assert wrong not in str(caught.value)

    good = _my_url(my_db, user, password).replace("mysql://", "mysql+pymysql://")
    workspace.sources.add(good, name="shop")
    _check_orders(_orders(workspace, "shop.orders"), tz=False)

    with pytest.raises(SourceError, match=r"No SQLAlchemy dialect for 'mssql\+nosuchdriver'"):
        workspace.sources.add("mssql+nosuchdriver://u@127.0.0.1/db", name="ms")


# ---------------------------------------------------------------------- samples
@pytest.mark.parametrize("name", sorted(samples.SAMPLES))
def test_the_contract_samples_read_back(workspace: Workspace, tmp_path: Path, name: str) -> None:
    location = samples.SAMPLES[name](tmp_path)
    assert registry.for_location(location).name == name
    workspace.sources.add(location, name="src")
    assert workspace.engine.execute("SELECT id, name FROM src.people ORDER BY id").rows() == [
        (1, "a"),
        (2, "b"),
        (3, "c"),
    ]
    workspace.sources.remove("src")
    samples.drop_all()
