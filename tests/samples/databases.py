"""Sample sources for the database connectors (the connector contract suite).

Each maker writes a small source holding a table ``people`` with the rows (1, 'a'), (2, 'b'),
(3, 'c') and returns its location. PostgreSQL and MySQL samples live on the local servers
(RECIPES.md) in a database of their own with a unique name, so engineers and test runs sharing
the servers never meet; :func:`drop_all` (also run at interpreter exit) removes them.
"""

from __future__ import annotations

import atexit
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
MY_HOST = "127.0.0.1"
MY_PORT = 3306
MY_USER = "root"

ROWS = [(1, "a"), (2, "b"), (3, "c")]

_created: list[tuple[str, str]] = []  # (server, database) made by this process


def unique_name(prefix: str = "aiser_sample") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def pg_connect(database: str = "postgres"):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=database, autocommit=True
    )


def my_connect(database: str | None = None):  # type: ignore[no-untyped-def]
    import pymysql

    return pymysql.connect(
        host=MY_HOST, port=MY_PORT, user=MY_USER, password="", database=database, autocommit=True
    )


def pg_database(prefix: str = "aiser_sample") -> str:
    """A new, empty PostgreSQL database on the local server; its name."""
    name = unique_name(prefix)
    with pg_connect() as con:
        con.execute(f'CREATE DATABASE "{name}"')
    _created.append(("postgres", name))
    return name


def my_database(prefix: str = "aiser_sample") -> str:
    """A new, empty MariaDB database on the local server; its name."""
    name = unique_name(prefix)
    con = my_connect()
    try:
        con.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    finally:
        con.close()
    _created.append(("mysql", name))
    return name


def drop_pg_database(name: str) -> None:
    with pg_connect() as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_my_database(name: str) -> None:
    con = my_connect()
    try:
        con.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        con.close()


def drop_all() -> None:
    """Drops every sample database this process made."""
    while _created:
        server, name = _created.pop()
        try:
            (drop_pg_database if server == "postgres" else drop_my_database)(name)
        except Exception as exc:  # a server that went away: nothing more to do here
            print(f"could not drop sample database {name}: {exc}")


atexit.register(drop_all)


def write_sqlite(path: Path) -> Path:
    """A SQLite file with the table ``people``."""
    con = sqlite3.connect(path)
    try:
        con.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        con.executemany("INSERT INTO people VALUES (?, ?)", ROWS)
        con.commit()
    finally:
        con.close()
    return path


def sqlite_sample(folder: Path) -> str:
    return str(write_sqlite(folder / "people.sqlite"))


def sqlalchemy_sample(folder: Path) -> str:
    path = write_sqlite(folder / "people_sa.sqlite")
    return f"sqlite+pysqlite:///{path.resolve()}"


def postgres_sample(folder: Path) -> str:
    name = pg_database()
    with pg_connect(name) as con:
        con.execute("CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL)")
        with con.cursor() as cur:
            cur.executemany("INSERT INTO people VALUES (%s, %s)", ROWS)
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def mysql_sample(folder: Path) -> str:
    name = my_database()
    con = my_connect(name)
    try:
        cur = con.cursor()
        cur.execute("CREATE TABLE people (id int PRIMARY KEY, name varchar(20) NOT NULL)")
        cur.executemany("INSERT INTO people VALUES (%s, %s)", ROWS)
    finally:
        con.close()
    return f"mysql://{MY_USER}@{MY_HOST}:{MY_PORT}/{name}"


SAMPLES: dict[str, Callable[[Path], str]] = {
    "sqlite": sqlite_sample,
    "postgres": postgres_sample,
    "mysql": mysql_sample,
    "sqlalchemy": sqlalchemy_sample,
}
