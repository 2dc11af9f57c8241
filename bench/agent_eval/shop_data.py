"""The second dataset: a small web shop (customers, products, orders, order items) in SQLite.

It is generated here, deterministically (a fixed random seed), so the evaluation can show that
the rules provider works from whatever catalog it is given and not from the sample data's
names: other words (customers, revenue, categories), other types (real dates, money), a
multi-table source (``shop.orders``) with declared primary and foreign keys.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

COUNTRIES = {
    "Germany": ["Berlin", "Munich", "Hamburg"],
    "France": ["Paris", "Lyon"],
    "Spain": ["Madrid", "Barcelona", "Valencia"],
    "Italy": ["Rome", "Milan"],
    "Netherlands": ["Amsterdam", "Rotterdam"],
    "Poland": ["Warsaw", "Krakow"],
}
SEGMENTS = ["Consumer", "Corporate", "Home Office"]
CATEGORIES = {
    "Electronics": (["Volta", "Nimbus", "Quanta"], (40.0, 900.0)),
    "Books": (["Papyrus", "Inkwell"], (6.0, 45.0)),
    "Garden": (["Greenly", "Terra"], (10.0, 250.0)),
    "Toys": (["Kiddo", "Blocko"], (5.0, 80.0)),
    "Clothing": (["Threadline", "Urbanite", "Nordwear"], (12.0, 160.0)),
}
NOUNS = {
    "Electronics": ["Headphones", "Speaker", "Tablet", "Monitor", "Keyboard", "Camera"],
    "Books": ["Cookbook", "Novel", "Atlas", "Guide", "Poetry Collection"],
    "Garden": ["Hose", "Planter", "Shovel", "Lawn Mower", "Seed Kit"],
    "Toys": ["Puzzle", "Robot Kit", "Doll", "Board Game", "Kite"],
    "Clothing": ["Jacket", "Sneakers", "Scarf", "Jeans", "Raincoat"],
}
STATUSES = ["delivered"] * 14 + ["shipped"] * 3 + ["cancelled"] * 2 + ["returned"]
CHANNELS = ["web"] * 5 + ["mobile"] * 3 + ["store"] * 2
FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elena",
    "Felix",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Karin",
    "Luca",
    "Maja",
    "Nico",
    "Olga",
    "Pablo",
    "Rosa",
    "Sven",
    "Tara",
    "Viktor",
]
LAST = [
    "Novak",
    "Schmidt",
    "Rossi",
    "Garcia",
    "Dubois",
    "Visser",
    "Kowalski",
    "Moreau",
    "Bauer",
    "Conti",
    "Jansen",
    "Lopez",
    "Weber",
    "Martin",
    "Nowak",
]

SCHEMA = """
CREATE TABLE customers (
    customer_id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL,
    country TEXT NOT NULL,
    city TEXT NOT NULL,
    segment TEXT NOT NULL,
    signup_date DATE NOT NULL
);
CREATE TABLE products (
    product_id INTEGER PRIMARY KEY,
    product_name TEXT NOT NULL,
    category TEXT NOT NULL,
    brand TEXT NOT NULL,
    list_price REAL NOT NULL
);
CREATE TABLE orders (
    order_id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(customer_id),
    order_date DATE NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    shipping_cost REAL NOT NULL,
    total_amount REAL NOT NULL
);
CREATE TABLE order_items (
    order_id INTEGER NOT NULL REFERENCES orders(order_id),
    line_no INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products(product_id),
    quantity INTEGER NOT NULL,
    unit_price REAL NOT NULL,
    discount REAL NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
"""


def build_shop(path: Path, *, customers: int = 600, orders: int = 6000, seed: int = 7) -> Path:
    """Writes the shop database to ``path`` (replacing it) and returns the path."""
    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    try:
        con.executescript(SCHEMA)
        start = date(2023, 1, 1)
        people = []
        for cid in range(1, customers + 1):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            country = rng.choice(list(COUNTRIES))
            people.append(
                (
                    cid,
                    f"{first} {last}",
                    f"{first.lower()}.{last.lower()}{cid}@example.com",
                    country,
                    rng.choice(COUNTRIES[country]),
                    rng.choice(SEGMENTS),
                    (start + timedelta(days=rng.randrange(0, 540))).isoformat(),
                )
            )
        con.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?)", people)
        products = []
        pid = 0
        for category, (brands, (low, high)) in CATEGORIES.items():
            for noun in NOUNS[category]:
                for brand in brands:
                    pid += 1
                    price = round(rng.uniform(low, high), 2)
                    products.append((pid, f"{brand} {noun}", category, brand, price))
        con.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?)", products)
        order_rows, item_rows = [], []
        for oid in range(1, orders + 1):
            customer = rng.choice(people)
            signup = date.fromisoformat(customer[6])
            last_day = date(2024, 12, 31)
            span = (last_day - signup).days
            day = signup + timedelta(days=rng.randrange(0, max(span, 1)))
            total = 0.0
            for line in range(1, rng.choice([1, 1, 2, 2, 3, 4]) + 1):
                product = rng.choice(products)
                quantity = rng.choice([1, 1, 1, 2, 2, 3, 5])
                discount = rng.choice([0.0, 0.0, 0.0, 0.05, 0.1, 0.2])
                total += quantity * product[4] * (1 - discount)
                item_rows.append((oid, line, product[0], quantity, product[4], discount))
            shipping = 0.0 if total > 100 else 4.99
            order_rows.append(
                (
                    oid,
                    customer[0],
                    day.isoformat(),
                    rng.choice(STATUSES),
                    rng.choice(CHANNELS),
                    shipping,
                    round(total + shipping, 2),
                )
            )
        con.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)", order_rows)
        con.executemany("INSERT INTO order_items VALUES (?, ?, ?, ?, ?, ?)", item_rows)
        con.commit()
    finally:
        con.close()
    return path
