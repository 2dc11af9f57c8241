"""The look of the app: light and dark Fusion palettes, a style sheet and the fonts.

The ``theme`` setting is "system", "light" or "dark". "system" follows the desktop's colour
scheme (Qt's ``QStyleHints.colorScheme``) and changes live when the desktop switches; a desktop
that does not say (Xvfb, an old Qt) gets the light theme. The Fusion style with an explicit
palette looks the same on Linux, macOS and Windows.

Colours live here only. ``theme.TEXT``, ``theme.MUTED`` and the other upper-case names are the
current theme's colours, read when used (a module ``__getattr__``), so code that reads them
while painting follows a switch by itself; code that keeps a colour connects to
:func:`notifier`'s ``changed`` signal and reads it again.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

MODES = ("system", "light", "dark")
MIN_POINT_SIZE = 10  # the smallest UI text, in points
MONO_FAMILIES = ("JetBrains Mono", "Cascadia Mono", "Menlo", "Consolas", "DejaVu Sans Mono")


@dataclass(frozen=True)
class Colours:
    """One theme's colours, named for what each is for."""

    name: str
    window: str
    surface: str
    alt_row: str
    border: str
    grid: str
    text: str
    muted: str
    null_text: str
    accent: str
    accent_hover: str
    accent_soft: str
    accent_disabled: str
    on_accent: str
    error: str
    error_soft: str
    success: str
    warning: str
    tooltip: str
    light: str
    dark: str
    shadow: str


LIGHT = Colours(
    name="light",
    window="#f5f6f8",
    surface="#ffffff",
    alt_row="#f8f9fb",
    border="#d9dde3",
    grid="#eceef1",
    text="#1f2328",
    muted="#6b7280",
    null_text="#a0a6ad",
    accent="#2563eb",
    accent_hover="#1d4ed8",
    accent_soft="#dbe7fd",
    accent_disabled="#9db8f2",
    on_accent="#ffffff",
    error="#b42318",
    error_soft="#fdecea",
    success="#067647",
    warning="#b54708",
    tooltip="#fffffe",
    light="#ffffff",
    dark="#b8bec6",
    shadow="#9aa1aa",
)

DARK = Colours(
    name="dark",
    window="#17191c",
    surface="#1f2226",
    alt_row="#24272c",
    border="#353941",
    grid="#2c3036",
    text="#e4e7eb",
    muted="#98a1ad",
    null_text="#6c7480",
    accent="#4d8dff",
    accent_hover="#6aa0ff",
    accent_soft="#233a63",
    accent_disabled="#2f4670",
    on_accent="#ffffff",
    error="#ff7a70",
    error_soft="#3a2120",
    success="#4ccf8d",
    warning="#f5a524",
    tooltip="#2a2e34",
    light="#3a3f46",
    dark="#0f1113",
    shadow="#000000",
)

_current = LIGHT
_mode = "light"


def colours() -> Colours:
    """The colours of the theme shown now."""
    return _current


def is_dark() -> bool:
    return _current.name == "dark"


def mode() -> str:
    """The mode asked for: "system", "light" or "dark"."""
    return _mode


_NAMES = {f.name.upper() for f in fields(Colours)} - {"NAME"}


def __getattr__(name: str) -> str:
    # theme.TEXT, theme.MUTED, ...: the current theme's colour, read when used.
    if name in _NAMES:
        return str(getattr(_current, name.lower()))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def palette(c: Colours | None = None) -> QPalette:
    """The Qt palette of a theme (the current one by default)."""
    c = c or _current
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window,
        QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.surface,
        QPalette.ColorRole.AlternateBase: c.alt_row,
        QPalette.ColorRole.Text: c.text,
        QPalette.ColorRole.Button: c.surface,
        QPalette.ColorRole.ButtonText: c.text,
        QPalette.ColorRole.BrightText: c.on_accent,
        QPalette.ColorRole.ToolTipBase: c.tooltip,
        QPalette.ColorRole.ToolTipText: c.text,
        QPalette.ColorRole.PlaceholderText: c.null_text,
        QPalette.ColorRole.Highlight: c.accent,
        QPalette.ColorRole.HighlightedText: c.on_accent,
        QPalette.ColorRole.Link: c.accent,
        QPalette.ColorRole.Mid: c.border,
        QPalette.ColorRole.Midlight: c.grid,
        QPalette.ColorRole.Light: c.light,
        QPalette.ColorRole.Dark: c.dark,
        QPalette.ColorRole.Shadow: c.shadow,
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.null_text))
    return pal


def style_sheet(c: Colours | None = None) -> str:
    """The app's style sheet in a theme's colours (the current one by default)."""
    c = c or _current
    return f"""
QMainWindow, QDialog {{ background: {c.window}; }}
QMainWindow::separator {{ background: {c.window}; width: 6px; height: 6px; }}
QSplitter::handle {{ background: {c.window}; }}
QSplitter::handle:horizontal {{ width: 6px; }}
QSplitter::handle:vertical {{ height: 6px; }}

QFrame#panel {{
    background: {c.surface};
    border: 1px solid {c.border};
    border-radius: 6px;
}}
QLabel#panelTitle {{
    color: {c.muted};
    font-weight: 600;
    letter-spacing: 0.5px;
}}
QLabel#placeholder {{ color: {c.muted}; padding: 24px; }}
QLabel#emptyTitle {{ color: {c.text}; font-weight: 600; font-size: 12pt; }}
QLabel#muted {{ color: {c.muted}; }}

QTreeWidget, QTreeView, QListView, QTableView, QTextBrowser {{
    border: none;
    background: {c.surface};
    selection-background-color: {c.accent_soft};
    selection-color: {c.text};
}}
QTreeWidget::item {{ padding: 2px 0; }}
QTableView {{ gridline-color: {c.grid}; }}
QHeaderView::section {{
    background: {c.window};
    color: {c.text};
    border: none;
    border-right: 1px solid {c.grid};
    border-bottom: 1px solid {c.border};
    padding: 4px 8px;
    font-weight: 600;
}}
QHeaderView::section:vertical {{
    color: {c.muted};
    font-weight: normal;
    padding: 0 6px;
}}
QTableCornerButton::section {{
    background: {c.window};
    border: none;
    border-bottom: 1px solid {c.border};
    border-right: 1px solid {c.grid};
}}

QPlainTextEdit#sqlEditor {{
    border: none;
    border-top: 1px solid {c.grid};
    background: {c.surface};
    color: {c.text};
    selection-background-color: {c.accent_soft};
    selection-color: {c.text};
}}
QLineEdit {{
    background: {c.surface};
    color: {c.text};
    border: 1px solid {c.border};
    border-radius: 5px;
    padding: 3px 6px;
    selection-background-color: {c.accent_soft};
    selection-color: {c.text};
}}
QLineEdit:focus {{ border-color: {c.accent}; }}
QLineEdit#search {{ margin: 0; }}

QPushButton {{
    background: {c.surface};
    color: {c.text};
    border: 1px solid {c.border};
    border-radius: 5px;
    padding: 4px 12px;
    min-height: 18px;
}}
QPushButton:hover {{ border-color: {c.accent}; }}
QPushButton:disabled {{ color: {c.null_text}; border-color: {c.grid}; }}
QPushButton#primary {{
    background: {c.accent};
    border-color: {c.accent};
    color: {c.on_accent};
    font-weight: 600;
}}
QPushButton#primary:hover {{ background: {c.accent_hover}; }}
QPushButton#primary:disabled {{
    background: {c.accent_disabled};
    border-color: {c.accent_disabled};
    color: {c.on_accent};
}}
QToolButton#flat {{ border: none; padding: 2px 6px; color: {c.accent}; font-weight: 600; }}
QToolButton#flat:hover {{ background: {c.accent_soft}; border-radius: 4px; }}
QToolButton#flat::menu-indicator {{ image: none; width: 0; }}

QTabWidget::pane {{ border: none; border-top: 1px solid {c.border}; }}
QTabBar::tab {{
    background: transparent;
    color: {c.muted};
    padding: 6px 14px;
    border: none;
    border-bottom: 2px solid transparent;
}}
QTabBar::tab:selected {{ color: {c.text}; border-bottom: 2px solid {c.accent}; font-weight: 600; }}
QTabBar::tab:hover {{ color: {c.text}; }}
QTabWidget#leftTabs QTabBar::tab {{ padding: 6px 8px; }}  /* five tabs fit the left panel */

QScrollBar:vertical {{ background: transparent; width: 12px; margin: 0; }}
QScrollBar:horizontal {{ background: transparent; height: 12px; margin: 0; }}
QScrollBar::handle {{ background: {c.border}; border-radius: 4px; margin: 2px; }}
QScrollBar::handle:vertical {{ min-height: 28px; }}
QScrollBar::handle:horizontal {{ min-width: 28px; }}
QScrollBar::handle:hover {{ background: {c.null_text}; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}

QDockWidget {{ color: {c.muted}; font-weight: 600; }}
QDockWidget::title {{
    background: {c.window};
    padding: 6px 10px;
    text-align: left;
}}

QStatusBar {{ background: {c.surface}; color: {c.text}; border-top: 1px solid {c.border}; }}
QStatusBar::item {{ border: none; }}
QStatusBar QLabel {{ color: {c.text}; }}
QLabel#statusState {{ padding: 0 8px; }}
QLabel#statusResult, QLabel#statusMemory {{ color: {c.muted}; padding: 0 8px; }}
QLabel#statusNetwork {{ padding: 0 8px; }}
QProgressBar {{
    border: 1px solid {c.border};
    border-radius: 4px;
    background: {c.window};
    max-height: 10px;
    text-align: center;
}}
QProgressBar::chunk {{ background: {c.accent}; border-radius: 3px; }}
QMenuBar {{ background: {c.surface}; color: {c.text}; border-bottom: 1px solid {c.border}; }}
QMenuBar::item {{ padding: 4px 10px; background: transparent; }}
QMenuBar::item:selected {{ background: {c.accent_soft}; border-radius: 4px; }}
QMenu {{ background: {c.surface}; color: {c.text}; border: 1px solid {c.border}; padding: 4px; }}
QMenu::item {{ padding: 5px 28px 5px 20px; border-radius: 4px; }}
QMenu::item:selected {{ background: {c.accent_soft}; color: {c.text}; }}
QMenu::item:disabled {{ color: {c.null_text}; }}
QMenu::separator {{ height: 1px; background: {c.grid}; margin: 4px 8px; }}
QToolTip {{
    background: {c.tooltip};
    color: {c.text};
    border: 1px solid {c.border};
    padding: 4px;
}}
"""


class ThemeNotifier(QObject):
    """Tells widgets that keep colours when the theme changed.

    Signals:
        changed(str): The theme now shown: "light" or "dark".
    """

    changed = Signal(str)


_notifier: ThemeNotifier | None = None
_following_system = False


def notifier() -> ThemeNotifier:
    """The app-wide notifier (made on first use, after the QApplication exists)."""
    global _notifier
    if _notifier is None:
        _notifier = ThemeNotifier(QApplication.instance())
    return _notifier


def system_is_dark() -> bool:
    """Whether the desktop asks for dark colours (False when it does not say)."""
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return scheme is not None and scheme() == Qt.ColorScheme.Dark


def resolve(requested: str) -> Colours:
    """The colours for a mode: "dark", "light", or "system" (the desktop's choice)."""
    if requested == "dark":
        return DARK
    if requested == "light":
        return LIGHT
    return DARK if system_is_dark() else LIGHT


def mono_font(point_size: int = 0) -> QFont:
    """A fixed-width font for SQL and error excerpts (the system's, or a known good one)."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    families = set(QFontDatabase.families())
    for family in MONO_FAMILIES:
        if family in families:
            font = QFont(family)
            break
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    size = point_size or max(10, QApplication.font().pointSize())
    font.setPointSize(size)
    return font


def base_font(app: QApplication) -> None:
    """The app's text at 10 pt at least (some platforms default to 9). Charts drawn headless
    call it too, so a chart looks the same in the window, the CLI and an export."""
    font = app.font()
    if font.pointSize() < MIN_POINT_SIZE:
        font.setPointSize(MIN_POINT_SIZE)
        app.setFont(font)


def apply(app: QApplication, requested: str = "light") -> Colours:
    """Gives ``app`` the Fusion style and the theme's palette and style sheet.

    Args:
        app: The application.
        requested: "system", "light" or "dark"; anything else counts as "system".

    Returns:
        The colours now shown.
    """
    global _current, _mode, _following_system
    _mode = requested if requested in MODES else "system"
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    base_font(app)
    chosen = resolve(_mode)
    changed = chosen is not _current or not app.styleSheet()
    _current = chosen
    if changed:
        app.setPalette(palette(chosen))
        app.setStyleSheet(style_sheet(chosen) + _close_button_rules(chosen))
    if not _following_system:
        # The desktop switching between light and dark reaches us here, live.
        hints = QGuiApplication.styleHints()
        signal = getattr(hints, "colorSchemeChanged", None)
        if signal is not None:
            signal.connect(lambda _scheme: follow_system(app))
            _following_system = True
    if changed:
        notifier().changed.emit(chosen.name)
    return chosen


def _close_button_rules(c: Colours) -> str:
    """Style sheet rules for the tabs' close buttons: a thin cross drawn here (Qt's own is a
    red box under a style sheet), as small PNG files in a temporary folder, once per run."""
    try:
        normal = _cross_png(c.muted, "", c.name)
        hover = _cross_png(c.text, c.grid, c.name + "-hover")
    except OSError:
        return ""
    return (
        f"QTabBar::close-button {{ image: url({normal}); subcontrol-position: right; }}\n"
        f"QTabBar::close-button:hover {{ image: url({hover}); }}\n"
    )


def _cross_png(colour: str, background: str, name: str) -> str:
    import tempfile
    from pathlib import Path

    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QImage, QPainter, QPen

    folder = Path(tempfile.gettempdir()) / "aiser-desktop-theme"
    folder.mkdir(exist_ok=True)
    path = folder / f"close-{name}.png"
    if not path.exists():
        size = 32  # drawn at twice the 16 px it is shown at
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if background:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(background))
            painter.drawRoundedRect(QRectF(2, 2, 28, 28), 6, 6)
        pen = QPen(QColor(colour), 2.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(QPointF(11, 11), QPointF(21, 21))
        painter.drawLine(QPointF(21, 11), QPointF(11, 21))
        painter.end()
        tmp = path.with_suffix(f".{id(image)}.tmp.png")
        if not image.save(str(tmp), "PNG"):  # type: ignore[call-overload]  # stubs want bytes; PySide6 takes only str
            raise OSError(f"cannot write {tmp}")
        tmp.replace(path)
    return path.as_posix()


def follow_system(app: QApplication) -> None:
    """The desktop's colour scheme changed: follow it if the mode is "system"."""
    if _mode == "system":
        apply(app, "system")
