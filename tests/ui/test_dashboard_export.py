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
