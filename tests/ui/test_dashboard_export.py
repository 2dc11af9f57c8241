"""``aiser dashboard list|export`` as a person runs it: a real process, charts drawn headless."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dashboard_support import BOARD, sample_copy


def aiser(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "aiser_desktop.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=cwd,
    )


def test_the_cli_lists_and_exports_a_dashboard_to_html_and_pdf(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    ws = sample_copy(tmp_path_factory, tmp_path)
    listed = aiser("dashboard", "list", "--workspace", str(ws), cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert f"{BOARD}  6 tiles (3 chart, 1 kpi, 1 table, 1 text)" in listed.stdout

    html = tmp_path / "flights.html"
    done = aiser(
        "dashboard",
        "export",
        "FLIGHTS 2013",
        "--out",
        str(html),
        "--workspace",
        str(ws),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "6 tiles written" in done.stderr
    text = html.read_text(encoding="utf-8")
    assert text.count("<section") == 6 and text.count("<svg") == 3
    assert "http://" not in text and "https://" not in text

    pdf = tmp_path / "flights.pdf"
    done = aiser(
        "dashboard", "export", BOARD, "--out", str(pdf), "--workspace", str(ws), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")

    wrong = aiser(
        "dashboard",
        "export",
        "Flights 2031",
        "--out",
        str(pdf),
        "--workspace",
        str(ws),
        cwd=tmp_path,
    )
    assert wrong.returncode == 1
    assert "no dashboard 'Flights 2031'" in wrong.stderr and "Flights 2013" in wrong.stderr
    bad = aiser(
        "dashboard",
        "export",
        BOARD,
        "--out",
        str(tmp_path / "x.png"),
        "--workspace",
        str(ws),
        cwd=tmp_path,
    )
    assert bad.returncode == 1 and ".html or .pdf" in bad.stderr


def test_a_tall_dashboard_breaks_pages_between_tiles_never_through_one(qapp: object) -> None:
    from PySide6.QtGui import QColor, QImage, QPainter

    from aiser_desktop.core.dashboards.model import Dashboard, Tile
    from aiser_desktop.ui.dashboards.export import Drawn, _bands, paint_pages

    tiles = tuple(
        Tile("text", f"note {i}", x=(i % 2) * 6, y=(i // 2) * 3, w=6, h=3, id=i, text="words")
        for i in range(12)
    )  # six rows of tiles, 18 grid rows: about two A4 pages
    tiles += (Tile("text", "tall", x=0, y=18, w=12, h=14, id=99, text="a very tall note"),)
    assert _bands(list(tiles))[:2] == [(0, 3), (3, 6)]
    pages: list[QImage] = []

    def page() -> QPainter:
        image = QImage(1123, 794, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        pages.append(image)
        return QPainter(image)

    painters = [page()]

    def new_page() -> None:
        painters[-1].end()
        painters.append(page())

    count = paint_pages(painters[0], Dashboard("tall", tiles), {}, Drawn(), 1123, 794, new_page)
    painters[-1].end()
    # 6 bands of 3 rows do not fit one page; the 14-row note gets a page of its own, scaled.
    assert count == len(pages) == 3
