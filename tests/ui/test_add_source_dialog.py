"""The Add source dialog on a real workspace: files, SQLite, errors that keep it open, cancel."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from aiser_desktop.ui.add_source_dialog import AddSourceDialog
from aiser_desktop.ui.main_window import MainWindow
from aiser_desktop.ui.source_pages import SQLITE
from aiser_desktop.ui.sources_tree import MODE_ROLE

TIMEOUT_MS = 30_000


def open_dialog(qtbot: QtBot, window: MainWindow) -> AddSourceDialog:
    dialog = window.show_add_source()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def press_add(qtbot: QtBot, dialog: AddSourceDialog) -> str:
    """Clicks Add and returns how the attempt ended: "added", "failed" or "cancelled"."""
    with qtbot.waitSignal(dialog.ended, timeout=TIMEOUT_MS) as ended:
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    return str(ended.args[0])


def query(window: MainWindow, sql: str) -> list[tuple[object, ...]]:
    assert window.ws is not None
    return window.ws.engine.execute(sql).rows()


@pytest.fixture
def shop_db(tmp_path: Path) -> Path:
    """A SQLite file with two tables, a primary key and a foreign key."""
    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT);"
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, "
            "customer_id INTEGER REFERENCES customers(id), total REAL);"
            "INSERT INTO customers VALUES (1, 'Ann', 'ann@example.org'), "
            "(2, 'Bo', 'bo@example.org');"
            "INSERT INTO orders VALUES (10, 1, 9.5), (11, 1, 3.0), (12, 2, 7.25);"
        )
    db.close()
    return path


def test_adding_a_csv_file_through_the_dialog(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    data = tmp_path / "Q1 Orders.csv"
    data.write_text("id,amount\n1,2.5\n2,3.5\n3,4.0\n", encoding="utf-8")
    dialog = open_dialog(qtbot, window)
    assert dialog.kind == "files" and dialog.mode_auto.isChecked()
    assert "100 MB" in dialog.mode_help.text()  # the default, in words
    assert not dialog.network_box.isVisible()  # a file needs no network
    dialog.files.paths.setPlainText(str(data))
    dialog.name_edit.setText("q1")
    with qtbot.waitSignal(dialog.added, timeout=TIMEOUT_MS) as added:
        assert press_add(qtbot, dialog) == "added"
    assert added.args == [["q1"]]
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: window.sources.find_table("q1") is not None, timeout=TIMEOUT_MS)
    assert window.sources.find_table("q1").text(1) == "3 rows · imported"  # type: ignore[union-attr]
    assert query(window, "select sum(amount) from q1") == [(10.0,)]
    assert "Imported Q1 Orders.csv as q1" in window.messages.toPlainText()


def test_several_files_at_once_each_named_after_its_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    paths = []
    for name in ("north.csv", "south.csv"):
        path = tmp_path / name
        path.write_text("x\n1\n2\n", encoding="utf-8")
        paths.append(str(path))
    dialog = open_dialog(qtbot, window)
    dialog.files.paths.setPlainText("\n".join(paths))
    assert not dialog.name_edit.isEnabled()  # several sources: names come from the files
    dialog.mode_linked.setChecked(True)
    assert press_add(qtbot, dialog) == "added"
    qtbot.waitUntil(lambda: window.sources.find_source("south") is not None, timeout=TIMEOUT_MS)
    for name in ("north", "south"):
        item = window.sources.find_source(name)
        assert item is not None and item.data(0, MODE_ROLE) == "linked"
        assert item.text(1) == "linked"  # a linked CSV is not counted


def test_adding_a_sqlite_database_through_the_dialog(
    qtbot: QtBot, window: MainWindow, shop_db: Path
) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.set_kind("database")
    assert dialog.network_box.isVisible() and not dialog.network_box.isChecked()
    dialog.database.kind.setCurrentText(SQLITE)
    assert not dialog.database.password.isVisible()  # a SQLite file has none
    assert dialog.database.sqlite_path.isVisible() and not dialog.database.host.isVisible()
    dialog.database.sqlite_path.setText(str(shop_db))
    assert press_add(qtbot, dialog) == "added"
    qtbot.waitUntil(lambda: window.sources.find_source("shop") is not None, timeout=TIMEOUT_MS)
    item = window.sources.find_source("shop")
    assert item is not None
    assert item.text(1) == "2 tables · linked"  # a database is linked unless asked otherwise
    assert "Linked: queried in place" in item.toolTip(0)
    assert sorted(item.child(i).text(0) for i in range(item.childCount())) == [
        "customers",
        "orders",
    ]
    rows = query(
        window,
        "select c.name, sum(o.total) from shop.orders o join shop.customers c "
        "on c.id = o.customer_id group by 1 order by 1",
    )
    assert rows == [("Ann", 12.5), ("Bo", 7.25)]


def test_a_sqlite_snapshot_shows_its_time(qtbot: QtBot, window: MainWindow, shop_db: Path) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.set_kind("database")
    dialog.database.kind.setCurrentText(SQLITE)
    dialog.database.sqlite_path.setText(str(shop_db))
    dialog.name_edit.setText("shop_copy")
    dialog.mode_imported.setChecked(True)
    assert press_add(qtbot, dialog) == "added"
    qtbot.waitUntil(lambda: window.sources.find_source("shop_copy") is not None)
    item = window.sources.find_source("shop_copy")
    assert item is not None and item.data(0, MODE_ROLE) == "imported"
    assert "snapshot of 20" in item.toolTip(0)  # "…, snapshot of 2026-11-02 10:31."
    shop_db.unlink()  # a snapshot does not need the file any more
    assert query(window, "select count(*) from shop_copy.orders") == [(3,)]


def test_adding_a_delta_table_through_the_dialog(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    import pyarrow as pa
    from deltalake import write_deltalake

    table = tmp_path / "lake" / "orders"
    write_deltalake(str(table), pa.table({"id": [1, 2, 3], "total": [1.5, 2.5, 3.0]}))
    dialog = open_dialog(qtbot, window)
    dialog.set_kind("lake")
    dialog.lake.path.setText(str(table))
    dialog.lake.format.setCurrentText("Delta")
    assert press_add(qtbot, dialog) == "added"
    qtbot.waitUntil(lambda: window.sources.find_source("orders") is not None)
    item = window.sources.find_source("orders")
    assert item is not None and item.data(0, MODE_ROLE) == "linked"
    assert "delta: " in item.toolTip(0)
    assert query(window, "select sum(total) from orders") == [(7.0,)]


PASSWORD = "Pw-ui-5c1a-never-stored"
PG = "host=127.0.0.1 port=5432 user=root dbname=postgres"


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of its own, with a schema ``sales`` holding two tables."""
    import uuid

    import psycopg

    name = f"aiser_ui_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    try:
        with psycopg.connect(PG.replace("dbname=postgres", f"dbname={name}")) as con:
            con.execute(
                "CREATE SCHEMA sales;"
                "CREATE TABLE sales.regions (id int PRIMARY KEY, name text);"
                "CREATE TABLE sales.orders (id int PRIMARY KEY, "
                "region_id int REFERENCES sales.regions(id), total numeric(10,2), "
                "placed_at timestamptz);"
                "INSERT INTO sales.regions VALUES (1, 'north'), (2, 'süd');"
                "INSERT INTO sales.orders VALUES (1, 1, 9.50, '2024-03-01 10:00+01'), "
                "(2, 2, 3.25, NULL);"
            )
        yield name
    finally:
        with psycopg.connect(PG, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_postgres_password_goes_to_the_keyring_only(
    qtbot: QtBot,
    pg_database: str,
    window: MainWindow,
    memory_keyring: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    dialog = open_dialog(qtbot, window)
    dialog.set_kind("database")
    db = dialog.database
    assert db.kind.currentText() == "PostgreSQL"
    assert dialog.focusWidget() is db.host  # typing starts at the host
    db.host.setText("127.0.0.1")
    db.database.setText(pg_database)
    db.schema.setText("sales")
    db.user.setText("root")
    db.password.setText(PASSWORD)  # trust auth on this machine: accepted, and never needed
    dialog.name_edit.setText("pg")
    assert press_add(qtbot, dialog) == "added"
    qtbot.waitUntil(lambda: window.sources.find_source("pg") is not None)
    item = window.sources.find_source("pg")
    assert item is not None and item.text(1) == "2 tables · linked"
    assert f"postgres: postgresql://root@127.0.0.1/{pg_database}" in item.toolTip(0)
    assert query(window, "select sum(total) from pg.orders") == [(Decimal("12.75"),)]
    assert PASSWORD in memory_keyring.passwords.values()  # type: ignore[attr-defined]
    assert window.ws is not None
    for path in window.ws.path.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), f"the password is in {path}"
    assert PASSWORD not in caplog.text  # what the log file would get
    assert PASSWORD not in window.messages.toPlainText()


def test_an_empty_field_is_explained_without_starting(qtbot: QtBot, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.set_kind("database")
    dialog.database.host.setText("127.0.0.1")
    with qtbot.waitSignal(dialog.ended) as ended:
        assert not dialog.submit()
    assert ended.args == ["failed"]
    assert "Enter the database's name" in dialog.message_text()
    assert dialog.isVisible() and not dialog.busy
    assert dialog.database.host.text() == "127.0.0.1"  # what was typed stays
    dialog.close()


def test_a_missing_file_keeps_the_dialog_open_with_the_error(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.csv"
    dialog = open_dialog(qtbot, window)
    dialog.files.paths.setPlainText(str(missing))
    assert press_add(qtbot, dialog) == "failed"
    text = dialog.message_text()
    assert f"The file '{missing}' does not exist." in text
    assert "Check the path" in text  # the hint: what to do next
    assert "Traceback" not in text
    assert dialog.isVisible() and dialog.add_button.isEnabled()
    assert dialog.files.paths.toPlainText() == str(missing)
    assert window.sources.find_source("nope") is None
    # Fixed and tried again, it works.
    missing.write_text("a\n1\n", encoding="utf-8")
    assert press_add(qtbot, dialog) == "added"
    qtbot.waitUntil(lambda: window.sources.find_source("nope") is not None)


def test_of_several_files_only_the_failed_ones_stay(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("a\n1\n", encoding="utf-8")
    odd = tmp_path / "odd.xyz"
    odd.write_text("whatever", encoding="utf-8")
    dialog = open_dialog(qtbot, window)
    dialog.files.paths.setPlainText(f"{good}\n{odd}")
    assert press_add(qtbot, dialog) == "failed"
    assert dialog.files.paths.toPlainText() == str(odd)
    assert "odd.xyz: " in dialog.message_text() and "Supported suffixes" in dialog.message_text()
    qtbot.waitUntil(lambda: window.sources.find_source("good") is not None)
    dialog.close()


def test_a_refused_database_login_is_shown_without_the_password(
    qtbot: QtBot, window: MainWindow
) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.set_kind("database")
    dialog.database.host.setText("127.0.0.1")
    dialog.database.port.setText("1")  # nothing listens there
    dialog.database.database.setText("test")
    dialog.database.user.setText("root")
    dialog.database.password.setText("pw-Zq81-never-shown")
    assert dialog.database.password.echoMode() == dialog.database.password.EchoMode.Password
    assert press_add(qtbot, dialog) == "failed"
    text = dialog.message_text()
    assert "127.0.0.1" in text
    assert "pw-Zq81" not in text and "pw-Zq81" not in window.messages.toPlainText()
    assert dialog.isVisible()
    assert dialog.database.password.text() == "pw-Zq81-never-shown"  # kept, to retry
    dialog.close()


def test_a_web_address_needs_the_network_switch(qtbot: QtBot, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.set_kind("web")
    assert dialog.network_box.isVisible() and not dialog.network_box.isChecked()
    assert not dialog.mode_linked.isEnabled()  # a web source is always a snapshot
    dialog.web.url.setText("https://example.org/data/sales.csv")
    assert press_add(qtbot, dialog) == "failed"  # and nothing tried to go online
    assert "network is off" in dialog.message_text()
    assert "Use the network" in dialog.message_text()
    dialog.close()


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CSV that takes a couple of seconds to import (about 150 MB)."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    duckdb.sql(
        f"COPY (SELECT i, md5(i::VARCHAR) AS h, i * 0.5 AS x FROM range(3000000) t(i)) "
        f"TO '{path}' (HEADER)"
    )
    return path


def test_cancel_stops_the_import_and_keeps_nothing(
    qtbot: QtBot, window: MainWindow, big_csv: Path
) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.files.paths.setPlainText(str(big_csv))
    dialog.mode_imported.setChecked(True)
    assert dialog.submit()
    assert dialog.busy and not dialog.add_button.isEnabled()
    assert dialog.progress.isVisible()
    qtbot.waitUntil(lambda: dialog.progress_label.text().startswith("Reading big"), timeout=10_000)
    assert window.status.cancel_button.isVisible()  # the status bar can stop it too
    with qtbot.waitSignal(dialog.ended, timeout=10_000) as ended:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()  # Cancel while adding stops the work, not the dialog
    assert ended.args == ["cancelled"]
    assert "Nothing of it was kept" in dialog.message_text()
    assert not dialog.busy and dialog.add_button.isEnabled()
    assert dialog.files.paths.toPlainText() == str(big_csv)
    assert window.ws is not None
    assert [s.name for s in window.ws.sources.records()] == ["sales"]
    assert query(window, "select table_name from duckdb_tables()") == [("sales",)]
    qtbot.waitUntil(lambda: not window.status.cancel_button.isVisible())
    # Cancel again, with nothing under way, closes the dialog.
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_the_dialog_opens_from_the_menu_the_shortcut_and_the_button(
    qtbot: QtBot, window: MainWindow, make_window: Callable[..., MainWindow]
) -> None:
    assert window.add_source_action.shortcut().toString() == "Ctrl+Shift+O"
    assert window.add_source_action in window.menuBar().actions()[0].menu().actions()  # type: ignore[union-attr]
    qtbot.mouseClick(window.sources_panel.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.add_dialog is not None and window.add_dialog.isVisible())
    assert window.add_dialog is not None
    window.add_dialog.close()
