"""Light and dark themes: the setting, the system's colour scheme (followed live), the menu."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from aiser_desktop.core.config import Settings, settings_path
from aiser_desktop.ui import theme
from aiser_desktop.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def light_again(qapp: QApplication) -> Iterator[None]:
    """Every test ends with the light theme, as the other window tests expect."""
    yield
    theme.apply(qapp, "light")


def window_colour(app: QApplication) -> str:
    return str(app.palette().color(QPalette.ColorRole.Window).name())


def test_light_and_dark_change_the_palette_the_style_sheet_and_the_names(
    qapp: QApplication,
) -> None:
    assert theme.apply(qapp, "dark") is theme.DARK
    assert window_colour(qapp) == theme.DARK.window
    assert theme.DARK.surface in qapp.styleSheet()
    assert theme.DARK.text == theme.TEXT  # the module's names follow the theme
    assert theme.is_dark()
    assert theme.apply(qapp, "light") is theme.LIGHT
    assert window_colour(qapp) == theme.LIGHT.window
    assert theme.LIGHT.text == theme.TEXT
    assert theme.LIGHT.surface in qapp.styleSheet()


def test_every_colour_pair_people_read_has_enough_contrast() -> None:
    def luminance(hex_colour: str) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        c = QColor(hex_colour)
        r, g, b = (channel(x) for x in (c.redF(), c.greenF(), c.blueF()))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    for c in (theme.LIGHT, theme.DARK):
        assert contrast(c.text, c.surface) >= 7, c.name  # body text: WCAG AAA
        for colour in (c.muted, c.error, c.success, c.accent):
            assert contrast(colour, c.surface) >= 3.5, (c.name, colour)
        assert contrast(c.on_accent, c.accent) >= 3, c.name  # the Run button


def test_system_follows_the_desktop_live_and_light_or_dark_do_not(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    desktop = {"dark": False}
    monkeypatch.setattr(theme, "system_is_dark", lambda: desktop["dark"])
    assert theme.apply(qapp, "system") is theme.LIGHT
    with qtbot.waitSignal(theme.notifier().changed) as changed:
        desktop["dark"] = True
        theme.follow_system(qapp)  # what the desktop's colorSchemeChanged calls
    assert changed.args == ["dark"]
    assert window_colour(qapp) == theme.DARK.window
    # Asked for "light", the app stays light whatever the desktop does.
    theme.apply(qapp, "light")
    theme.follow_system(qapp)
    assert window_colour(qapp) == theme.LIGHT.window
    # An unknown value counts as "system".
    assert theme.apply(qapp, "purple") is theme.DARK
    assert theme.mode() == "system"


def test_qt_tells_the_theme_when_the_desktop_switches(qapp: QApplication) -> None:
    hints = qapp.styleHints()
    if not hasattr(hints, "colorSchemeChanged"):
        pytest.skip("this Qt has no colour scheme hints")
    theme.apply(qapp, "system")
    # Offscreen, the desktop says nothing, which means light.
    assert theme.colours() is (theme.DARK if theme.system_is_dark() else theme.LIGHT)


def test_the_view_menu_switches_the_window_and_remembers_it(
    qtbot: QtBot, window: MainWindow, qapp: QApplication
) -> None:
    window.messages.add("Something went wrong", "error")
    window.actions_.theme_actions["dark"].trigger()
    assert window_colour(qapp) == theme.DARK.window
    assert window.actions_.theme_actions["dark"].isChecked()
    # What keeps colours follows: the messages are drawn again, the status bar too.
    assert theme.DARK.error in window.messages.toHtml()
    assert theme.DARK.success in window.status.network.styleSheet()
    qtbot.waitUntil(lambda: settings_path().exists(), timeout=5_000)
    qtbot.waitUntil(lambda: Settings.load().theme == "dark", timeout=5_000)
    window.actions_.theme_actions["light"].trigger()
    assert window_colour(qapp) == theme.LIGHT.window
    assert theme.LIGHT.error in window.messages.toHtml()
    qtbot.waitUntil(lambda: Settings.load().theme == "light", timeout=5_000)


def test_the_window_grabs_in_both_themes_look_different(
    qtbot: QtBot, window: MainWindow, qapp: QApplication
) -> None:
    theme.apply(qapp, "light")
    light = window.grab().toImage()
    theme.apply(qapp, "dark")
    qapp.processEvents()
    dark = window.grab().toImage()
    # The window's background, sampled in the status bar's corner.
    point = (window.width() - 4, window.height() - 4)
    assert QColor(light.pixel(*point)).lightness() > 200
    assert QColor(dark.pixel(*point)).lightness() < 80
