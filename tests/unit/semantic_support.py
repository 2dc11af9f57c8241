"""A small shop for the semantic-layer tests: three tables and a model in Cube's syntax.

The numbers are small enough to add up by hand; the tests' expected values are worked out in
their comments. The fan-out traps: an order has several line items (one_to_many), and a user
has several orders, so a naive join repeats orders' and users' rows.

    users        id city  credits
                 1  Paris 10
                 2  Lyon  20
                 3  Paris 30
    orders       id user status    amount created_at
                 1  1    paid      100    2024-01-01 10:00  (a Monday)
                 2  1    paid      50     2024-01-02 11:00
                 3  2    paid      30     2024-01-04 09:00
                 4  3    new       200    2024-02-01 09:00
                 5  2    refunded  20     2024-04-15 12:00
                 6  3    NULL      10     2025-01-03 00:00
    line_items   id order product quantity
                 1  1     pen     2
                 2  1     ink     1
                 3  1     pad     5
                 4  2     pen     1
                 5  4     ink     3
"""

from __future__ import annotations

from pathlib import Path

SHOP_SQL = """
CREATE TABLE users AS SELECT * FROM (VALUES (1, 'Paris', 10), (2, 'Lyon', 20), (3, 'Paris', 30))
    t(id, city, credits);
CREATE TABLE orders AS SELECT * FROM (VALUES
    (1, 1, 'paid', 100.0, TIMESTAMP '2024-01-01 10:00'),
    (2, 1, 'paid', 50.0, TIMESTAMP '2024-01-02 11:00'),
    (3, 2, 'paid', 30.0, TIMESTAMP '2024-01-04 09:00'),
    (4, 3, 'new', 200.0, TIMESTAMP '2024-02-01 09:00'),
    (5, 2, 'refunded', 20.0, TIMESTAMP '2024-04-15 12:00'),
    (6, 3, NULL, 10.0, TIMESTAMP '2025-01-03 00:00')) t(id, user_id, status, amount, created_at);
CREATE TABLE line_items AS SELECT * FROM (VALUES
    (1, 1, 'pen', 2), (2, 1, 'ink', 1), (3, 1, 'pad', 5), (4, 2, 'pen', 1), (5, 4, 'ink', 3))
    t(id, order_id, product, quantity);
"""

# Written as in Cube's documentation: {CUBE} and {cube} references, snake_case keys.
ORDERS_YML = """\
cubes:
  - name: orders
    sql_table: orders
    title: Orders
    description: Every order placed in the shop

    joins:
      - name: users
        sql: "{CUBE}.user_id = {users}.id"
        relationship: many_to_one

      - name: line_items
        sql: "{CUBE}.id = {line_items.order_id}"
        relationship: one_to_many

    measures:
      - name: count
        type: count

      - name: revenue
        sql: amount
        type: sum
        description: Money paid for orders

      - name: paid_revenue
        sql: "{CUBE}.amount"
        type: sum
        filters:
          - sql: "{CUBE}.status = 'paid'"

      - name: paid_share
        type: number
        sql: "1.0 * {paid_revenue} / NULLIF({CUBE.revenue}, 0)"

      - name: avg_amount
        sql: amount
        type: avg

      - name: min_amount
        sql: amount
        type: min

      - name: max_amount
        sql: amount
        type: max

      - name: customers
        sql: user_id
        type: count_distinct

      - name: customers_approx
        sql: user_id
        type: count_distinct_approx

      - name: rolling_revenue
        sql: amount
        type: sum
        rolling_window:
          trailing: 2 day

      - name: cumulative_revenue
        sql: amount
        type: sum
        rolling_window:
          trailing: unbounded

      - name: next_two_days_revenue
        sql: amount
        type: sum
        rolling_window:
          leading: 2 day
          offset: start

    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true

      - name: status
        sql: status
        type: string

      - name: amount
        sql: amount
        type: number

      - name: created_at
        sql: created_at
        type: time

    segments:
      - name: big
        sql: "{CUBE}.amount >= 100"
"""

USERS_YML = """\
cubes:
  - name: users
    sql_table: users

    measures:
      - name: count
        type: count

      - name: total_credits
        sql: credits
        type: sum

    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true

      - name: city
        sql: city
        type: string

  - name: line_items
    sql_table: line_items

    measures:
      - name: count
        type: count

      - name: quantity
        sql: quantity
        type: sum

    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true

      - name: order_id
        sql: order_id
        type: number

      - name: product
        sql: product
        type: string
"""

VIEW_YML = """\
views:
  - name: orders_view
    description: Orders with where their customers live

    cubes:
      - join_path: orders
        includes: "*"
        excludes:
          - min_amount

      - join_path: orders.users
        prefix: true
        includes:
          - city
          - name: count
            alias: people
"""

ROLLUP_YML = """
    pre_aggregations:
      - name: by_day
        measures:
          - CUBE.count
          - CUBE.revenue
          - CUBE.avg_amount
          - CUBE.customers
        dimensions:
          - CUBE.status
        time_dimension: CUBE.created_at
        granularity: day
"""


def write_shop_model(folder: Path, *, rollup: bool = False) -> Path:
    """Writes the shop's model files under ``folder/model``; returns ``folder``."""
    cubes = folder / "model" / "cubes"
    views = folder / "model" / "views"
    cubes.mkdir(parents=True, exist_ok=True)
    views.mkdir(parents=True, exist_ok=True)
    orders = ORDERS_YML + (ROLLUP_YML if rollup else "")
    (cubes / "orders.yml").write_text(orders, encoding="utf-8")
    (cubes / "users.yml").write_text(USERS_YML, encoding="utf-8")
    (views / "orders_view.yml").write_text(VIEW_YML, encoding="utf-8")
    return folder
