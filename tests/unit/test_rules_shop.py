"""The rules on a second data set they were not written for: the generated shop (a linked
SQLite database: schema-qualified names, declared keys, real dates, money, other words)."""

from __future__ import annotations

import pytest

from aiser_desktop.core.agent.types import Refusal
from aiser_desktop.core.workspace import Workspace
from tests.unit.rules_support import answer, ask, rows, same_result, shared_workspace, single_select


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Workspace:
    return shared_workspace("shop", tmp_path_factory, request)


JOINED = "shop.orders o JOIN shop.customers c ON o.customer_id = c.customer_id"

CASES = [
    ("How many customers are there?", "SELECT count(*) FROM shop.customers"),
    ("Total sales in 2024",
     "SELECT sum(total_amount) FROM shop.orders WHERE year(order_date) = 2024"),
    ("How many orders were cancelled?",
     "SELECT count(*) FROM shop.orders WHERE status = 'cancelled'"),
    ("Average list price by category",
     "SELECT category, avg(list_price) FROM shop.products GROUP BY category"),
    ("Total sales by customer country",
     f"SELECT c.country, sum(o.total_amount) FROM {JOINED} GROUP BY c.country"),
    ("Total quantity of Electronics sold",
     "SELECT sum(i.quantity) FROM shop.order_items i JOIN shop.products p "
     "ON i.product_id = p.product_id WHERE p.category = 'Electronics'"),
    ("Top 5 customers by total sales",
     "SELECT customer_id, sum(total_amount) s FROM shop.orders GROUP BY customer_id "
     "ORDER BY s DESC LIMIT 5"),
    ("Monthly sales in 2024",
     "SELECT date_trunc('month', order_date) m, sum(total_amount) FROM shop.orders "
     "WHERE year(order_date) = 2024 GROUP BY m ORDER BY m"),
    ("Customer signups per month",
     "SELECT date_trunc('month', signup_date) m, count(*) FROM shop.customers GROUP BY m "
     "ORDER BY m"),
    ("Compare total sales in 2023 and 2024",
     "SELECT sum(total_amount) FROM shop.orders GROUP BY year(order_date) "
     "ORDER BY year(order_date)"),
    ("How many orders did customer 42 place?",
     "SELECT count(*) FROM shop.orders WHERE customer_id = 42"),
    ("What's the cheapest product?",
     "SELECT product_id FROM shop.products ORDER BY list_price LIMIT 1"),
    ("What percentage of orders were cancelled in 2024?",
     "SELECT 100.0 * count(*) FILTER (WHERE status = 'cancelled') / count(*) FROM shop.orders "
     "WHERE year(order_date) = 2024"),
]  # fmt: skip


@pytest.mark.parametrize(("question", "reference"), CASES)
def test_shop_questions_get_the_reference_answer(
    shop: Workspace, question: str, reference: str
) -> None:
    found = answer(shop, question)
    assert single_select(found.sql), found.sql
    ordered = "ORDER BY" in reference
    assert same_result(shop, found, reference, ordered=ordered), found.sql


def test_dates_and_links_come_from_the_catalog(shop: Workspace) -> None:
    found = answer(shop, "Number of orders from customers in Germany")
    assert "JOIN shop.customers" in found.sql and "order_date" not in found.sql
    # order_items has no dates: "in 2024" is read from the order each item belongs to
    items = answer(shop, "Total quantity sold in 2024")
    assert "JOIN shop.orders" in items.sql
    assert any("dates taken from orders" in a for a in items.assumptions)
    expected = rows(
        shop,
        "SELECT sum(quantity) FROM shop.order_items i JOIN shop.orders o USING (order_id) "
        "WHERE year(o.order_date) = 2024",
    )
    assert rows(shop, items.sql) == expected


def test_the_shop_has_no_data_for_other_years_or_words(shop: Workspace) -> None:
    years = ask(shop, "What were total sales in 2021?")
    assert isinstance(years, Refusal) and "2023-01" in years.reason and "2021" in years.reason
    profit = ask(shop, "What is the profit by product?")
    assert isinstance(profit, Refusal) and "profit" in profit.reason
    place = ask(shop, "How many orders came from Tokyo?")
    assert isinstance(place, Refusal) and "Tokyo" in place.reason
