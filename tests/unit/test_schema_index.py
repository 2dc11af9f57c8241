"""The schema index: words, synonyms, values, keys and joins of a real workspace; search;
the per-workspace cache; a 500-table workspace; the time budget for reading values."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from aiser_desktop.core.agent.rules import interpret
from aiser_desktop.core.agent.schema_index import (
    SchemaIndex,
    clear_cache,
    compounds,
    normalize_value,
    split_name,
    stem,
    tokenize,
    value_fits,
)
from aiser_desktop.core.agent.types import Interpretation
from aiser_desktop.core.sources.catalog import ColumnInfo, SourceInfo, TableInfo
from aiser_desktop.core.workspace import Workspace
from tests.unit.rules_support import shared_workspace


@pytest.fixture(scope="session")
def flights(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Workspace:
    return shared_workspace("flights", tmp_path_factory, request)


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Workspace:
    return shared_workspace("shop", tmp_path_factory, request)


# ---------------------------------------------------------------------------------- words


def test_names_split_into_words_and_stems_meet() -> None:
    assert split_name("dep_delay") == ["dep", "delay"]
    assert split_name("CustomerID") == ["customer", "id"]
    assert split_name("time_hour") == ["time", "hour"]
    assert stem("delays") == stem("delayed") == stem("delay")
    assert stem("categories") == stem("category")
    assert stem("late") != "lat"  # "late" (delay) never meets "lat" (latitude)
    assert "tailnum" in compounds("tail", "numbers")  # "tail number" names tailnum
    assert "timezone" in compounds("time", "zone")


def test_question_words_keep_inner_punctuation() -> None:
    words = tokenize("Flights to America/Chicago on 2013-07-04, Turbo-jet only?")
    assert "America/Chicago" in words and "2013-07-04" in words and "Turbo-jet" in words
    assert normalize_value("United Air Lines Inc.") == "united air lines inc"


def test_ordinary_words_never_stand_for_short_codes() -> None:
    # Some airports are coded TOP, DAY, NEW, AND: typed in lower case they are words.
    for word in ("top", "day", "new", "and", "was"):
        assert not value_fits(word.upper(), [word])
    assert value_fits("JFK", ["JFK"]) and value_fits("JFK", ["jfk"])
    assert value_fits("UA", ["UA"]) and not value_fits("UA", ["ua"])


# ---------------------------------------------------------------------------------- the sample


def test_sample_index_knows_tables_columns_values_and_keys(flights: Workspace) -> None:
    index = SchemaIndex.for_workspace(flights)
    assert set(index.tables) == {"airlines", "airports", "flights", "planes", "weather"}
    delay = index.column("flights", "dep_delay")
    assert delay is not None and delay.words == ("dep", "delay") and delay.numeric
    assert index.column("planes", "tailnum").unique  # type: ignore[union-attr]
    assert not index.column("flights", "tailnum").unique  # type: ignore[union-attr]
    holders = {(h.table, h.column) for h in index.value_hits("JFK")}
    assert holders == {("flights", "origin"), ("airports", "faa"), ("weather", "origin")}
    # counts say where a value is common: LGA is an origin 104662 times, a destination once
    lga = {h.column: h.count for h in index.value_hits("LGA") if h.table == "flights"}
    assert lga["origin"] == 104662
    assert {(h.table, h.column) for h in index.value_hits("united air lines inc.")} == {
        ("airlines", "name")
    }
    # year/month/day columns are read as dates (the data's own calendar)
    flights_table = index.table("flights")
    assert flights_table is not None and flights_table.parts_range is not None
    first, last = flights_table.parts_range
    assert (str(first), str(last)) == ("2013-01-01", "2013-12-31")


def test_joins_are_inferred_from_names_and_from_values(flights: Workspace) -> None:
    index = SchemaIndex.for_workspace(flights)
    joins = {(j.table, j.columns, j.other, j.other_columns, j.how) for j in index.joins}
    assert ("flights", ("carrier",), "airlines", ("carrier",), "name") in joins
    assert ("flights", ("tailnum",), "planes", ("tailnum",), "name") in joins
    # different names: the values of origin and dest are (almost all) airport codes
    assert ("flights", ("origin",), "airports", ("faa",), "values") in joins
    assert ("flights", ("dest",), "airports", ("faa",), "values") in joins
    # same name, not a key on either side: no join
    assert not any(j.columns == ("year",) for j in index.joins)
    assert [len(p) for p in index.join_path("flights", "airports")] == [1, 1]


def test_declared_foreign_keys_are_used(shop: Workspace) -> None:
    index = SchemaIndex.for_workspace(shop)
    joins = {(j.table, j.other, j.how) for j in index.joins}
    assert ("shop.orders", "shop.customers", "declared") in joins
    assert ("shop.order_items", "shop.products", "declared") in joins
    assert index.join_path("shop.order_items", "shop.customers")  # two hops
    assert {h.column for h in index.value_hits("Madrid")} == {"city"}


def test_search_ranks_the_columns_a_question_is_about(flights: Workspace) -> None:
    index = SchemaIndex.for_workspace(flights)

    def top(question: str) -> tuple[str, str | None]:
        hit = next(h for h in index.search(question, 5) if h.column is not None)
        return hit.table, hit.column

    assert top("average arrival delay by carrier") == ("flights", "arr_delay")
    assert top("mean temperature at LGA") == ("weather", "temp")
    assert top("how many tail numbers") in {("flights", "tailnum"), ("planes", "tailnum")}
    assert top("dew point in July") == ("weather", "dewp")
    assert top("planes by manufacturer") == ("planes", "manufacturer")
    hits = index.search("flights from EWR", 10)
    assert any(h.column == "origin" and "value 'EWR'" in h.reasons for h in hits)
    assert index.search("zebra quasar", 5) == []


def test_the_index_is_cached_and_rebuilt_when_sources_change(tmp_path: Path) -> None:
    clear_cache()
    csv = tmp_path / "sales.csv"
    csv.write_text("region,amount\nnorth,10\nsouth,7\n", encoding="utf-8")
    with Workspace.open(tmp_path / "ws") as ws:
        ws.sources.add_file(csv, name="sales")
        first = SchemaIndex.for_workspace(ws)
        assert SchemaIndex.for_workspace(ws) is first
        assert {h.value for h in first.value_hits("north")} == {"north"}
        other = tmp_path / "costs.csv"
        other.write_text("team,cost\nops,3\n", encoding="utf-8")
        ws.sources.add_file(other, name="costs")
        second = SchemaIndex.for_workspace(ws)
        assert second is not first and "costs" in second.tables
        ws.sources.remove("sales")
        assert "sales" not in SchemaIndex.for_workspace(ws).tables


def test_values_are_left_out_when_the_budget_is_spent(flights: Workspace) -> None:
    with flights.engine.cursor() as cursor:
        index = SchemaIndex.build(flights.sources.catalog(), cursor, budget=0.0)
    assert index.value_hits("JFK") == []
    assert index.column("flights", "dep_delay") is not None  # names still known
    found = interpret("average departure delay by carrier", index, [])
    assert isinstance(found, Interpretation)


# ---------------------------------------------------------------------------------- 500 tables


_DOMAINS = ["hr", "crm", "erp", "web", "ops", "fin", "log", "mkt", "inv", "sup"]
_ENTITIES = ["employees", "accounts", "tickets", "visits", "assets", "ledgers", "events",
             "campaigns", "items", "vendors", "contracts", "shipments", "invoices", "sessions",
             "devices", "projects", "tasks", "leads", "claims", "budgets", "audits", "alerts",
             "batches", "routes", "surveys", "licenses", "meetings", "returns", "badges",
             "cases", "quotes", "refunds", "servers", "sensors", "teams", "trips", "units",
             "warehouses", "payments", "subscriptions", "reviews", "bookings", "patients",
             "lessons", "orders_archive", "deliveries", "forecasts", "targets", "skills",
             "rooms"]  # fmt: skip
_COLUMNS = [("status", "VARCHAR"), ("created_at", "DATE"), ("owner", "VARCHAR"),
            ("score", "DOUBLE"), ("amount_due", "DOUBLE"), ("priority", "INTEGER"),
            ("region_code", "VARCHAR"), ("duration_minutes", "INTEGER")]  # fmt: skip


def _wide_workspace() -> tuple[duckdb.DuckDBPyConnection, list[SourceInfo]]:
    """500 tables in an in-memory database, and their catalog; one of them is the table
    the questions are about (sales_orders)."""
    con = duckdb.connect()
    tables = []
    names = [*[f"{d}_{e}" for d in _DOMAINS for e in _ENTITIES][:499], "sales_orders"]
    for n, name in enumerate(names):
        if name == "sales_orders":
            columns = [("order_id", "INTEGER"), ("region", "VARCHAR"), ("revenue", "DOUBLE"),
                       ("order_date", "DATE")]  # fmt: skip
            select = (
                "i AS order_id, ['north','south','east'][i % 3 + 1] AS region, "
                "i * 1.5 AS revenue, DATE '2024-01-01' + CAST(i AS INTEGER) AS order_date"
            )
        else:
            columns = [("id", "INTEGER")] + [_COLUMNS[(n + k) % len(_COLUMNS)] for k in range(4)]
            select = "i AS id, " + ", ".join(
                f"CAST(i % 7 AS {t}) AS {c}"
                if t != "DATE"
                else f"DATE '2024-01-01' + CAST(i AS INTEGER) AS {c}"
                for c, t in columns[1:]
            )
        con.execute(f"CREATE TABLE {name} AS SELECT {select} FROM range(30) t(i)")
        tables.append(
            TableInfo(name, "", 30, tuple(ColumnInfo(c, t) for c, t in columns), (columns[0][0],))
        )
    created = datetime(2024, 1, 1, tzinfo=UTC)
    catalog = [SourceInfo(t.sql_name, "csv", f"{t.sql_name}.csv", created, (t,)) for t in tables]
    return con, catalog


def test_a_500_table_workspace_builds_and_searches_fast() -> None:
    con, catalog = _wide_workspace()
    try:
        started = time.perf_counter()
        index = SchemaIndex.build(catalog, con.cursor(), budget=5.0)
        built = time.perf_counter() - started
        assert len(index.tables) == 500
        assert built < 15.0  # the value budget is 5 s; the rest is per-table overhead
        question = "total revenue by region in 2024"
        timings = []
        for _ in range(20):
            t0 = time.perf_counter()
            hits = index.search(question, 10)
            timings.append(time.perf_counter() - t0)
        assert hits[0].table == "sales_orders"
        assert statistics.median(timings) < 0.020  # goal: a search under 20 ms
        found = interpret(question, index, [])
        assert isinstance(found, Interpretation)
        assert "sales_orders" in found.sql and "SUM(revenue)" in found.sql
    finally:
        con.close()
