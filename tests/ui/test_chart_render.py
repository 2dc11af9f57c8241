"""The renderer: every chart kind drawn headless to PNG (compared with a stored picture) and
to SVG, in the light and the dark theme; the numbers and dates on its axes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.errors import AiserError
from aiser_desktop.ui import theme
from aiser_desktop.ui.charts.axes import as_labels, as_numbers, format_number, nice_step
from aiser_desktop.ui.charts.render import render_image, render_to_file
from aiser_desktop.ui.charts.style import LIGHT_SERIES
from tests.ui.chart_cases import cases
from tests.ui.chart_images import check, colour_share

CASES = cases()


@pytest.fixture(autouse=True)
def _app_font(qapp: QApplication) -> None:
    """Charts are drawn in the app's font; give the test app the window's, whatever ran before."""
    theme.base_font(qapp)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_kind_renders_like_its_reference(name: str) -> None:
    image = render_image(CASES[name], width=480, height=270)
    assert (image.width(), image.height()) == (480, 270)
    check(image, name)


@pytest.mark.parametrize(
    ("name", "colour", "share"),
    [
        ("line", "#2563eb", 0.004),
        ("bar", "#2563eb", 0.2),
        ("scatter", "#2563eb", 0.0005),
        ("histogram", "#2563eb", 0.05),
        ("pie", "#2563eb", 0.05),
        ("heatmap", "#1e3a8a", 0.01),
        ("box", "#2563eb", 0.002),
    ],
)
def test_the_data_is_drawn_in_the_first_series_colour(name: str, colour: str, share: float) -> None:
    """Not an empty frame: the first series' colour covers its part of the picture."""
    image = render_image(CASES[name], width=480, height=270)
    assert colour_share(image, colour, 40) > share, name
    assert LIGHT_SERIES[0] == theme.LIGHT.accent


def test_the_dark_theme_draws_on_the_dark_surface() -> None:
    image = render_image(CASES["bar_grouped"], width=480, height=270, theme="dark")
    corner = image.pixelColor(2, 2).name()
    assert corner == theme.DARK.surface
    check(image, "bar_grouped-dark")


def test_a_kpi_shows_its_change_in_green_when_it_went_up() -> None:
    image = render_image(CASES["kpi"], width=480, height=270)
    assert colour_share(image, theme.LIGHT.success, 30) > 0.001
    spec, table = CASES["kpi"]
    down = table.set_column(1, "previous", pa.array([30000], pa.int64()))
    image = render_image((spec, down), width=480, height=270)
    assert colour_share(image, theme.LIGHT.error, 30) > 0.001
    assert colour_share(image, theme.LIGHT.success, 30) == 0


def test_svg_is_valid_xml_with_the_title_and_every_series(tmp_path: Path) -> None:
    path = render_to_file(CASES["line"], tmp_path / "flights.svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    texts = " ".join(t.strip() for t in root.itertext())
    assert "flights by day and origin" in texts
    for origin in ("EWR", "JFK", "LGA"):
        assert origin in texts
    shapes = [e for e in root.iter() if e.tag.split("}")[-1] in ("path", "polyline")]
    assert len(shapes) > 3  # the lines are vectors, not one picture
    assert not list(root.iter("{http://www.w3.org/2000/svg}image"))


def test_png_file_has_the_size_asked_for(tmp_path: Path) -> None:
    path = render_to_file(CASES["pie"], tmp_path / "pie.png", width=640, height=360)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (640, 360)


def test_an_unknown_suffix_says_which_ones_work(tmp_path: Path) -> None:
    with pytest.raises(AiserError, match=r"\.png or \.svg"):
        render_to_file(CASES["pie"], tmp_path / "pie.jpg")


def test_an_empty_result_says_so_instead_of_failing() -> None:
    spec = ChartSpec("bar", x="carrier", y=["flights"])
    empty = pa.table({"carrier": pa.array([], pa.string()), "flights": pa.array([], pa.int64())})
    image = render_image((spec, empty), width=320, height=180)
    assert image.width() == 320


def test_renders_with_no_qt_application_and_no_display(tmp_path: Path) -> None:
    """The CLI's path: a fresh interpreter, no QApplication, no screen."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    code = (
        "import pyarrow as pa, sys\n"
        "from aiser_desktop.core.charts.spec import ChartSpec\n"
        "from aiser_desktop.ui.charts.render import render_to_file\n"
        "spec = ChartSpec('bar', x='k', y=['v'])\n"
        "render_to_file((spec, pa.table({'k': ['a', 'b'], 'v': [1, 2]})), sys.argv[1])\n"
    )
    out = tmp_path / "cli.png"
    subprocess.run([sys.executable, "-c", code, str(out)], env=env, check=True, timeout=120)
    assert QImage(str(out)).width() == 960


def test_dates_and_timestamps_become_epoch_seconds_as_stored() -> None:
    day = pa.array([dt.date(2013, 1, 2), None])
    assert as_numbers(day)[0] == 1357084800.0
    assert np.isnan(as_numbers(day)[1])
    stamp = pa.array([dt.datetime(2013, 1, 2, 6, 30)], pa.timestamp("ns"))
    assert as_numbers(stamp)[0] == 1357084800.0 + 6.5 * 3600
    assert as_labels(pa.array([dt.datetime(2013, 1, 2)], pa.timestamp("us"))) == ["2013-01-02"]


def test_axis_numbers_read_like_people_write_them() -> None:
    assert format_number(1250) == "1,250"
    assert format_number(1_200_000, 200_000) == "1.2M"
    assert format_number(45_000, 5_000) == "45k"
    assert format_number(0.25, 0.05) == "0.25"
    assert format_number(3.0, 0.5) == "3"
    assert [nice_step(x) for x in (0.7, 1.3, 2.2, 4, 7)] == [1.0, 2.0, 2.5, 5.0, 10.0]


def test_data_in_the_wrong_shape_names_the_missing_column() -> None:
    spec = ChartSpec("histogram", x="dep_delay")
    with pytest.raises(AiserError, match="no column 'bin_start'"):
        render_image((spec, pa.table({"dep_delay": [1.0, 2.0]})), width=320, height=180)
