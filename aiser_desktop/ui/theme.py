"""The look of the app: a light Fusion palette, a small style sheet and the fonts.

Light and readable by default, whatever the desktop's own theme is: the Fusion style with an
explicit palette looks the same on Linux, macOS and Windows. Colours live here only, so a dark
theme later is one more palette, not a hunt through the widgets.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

# The palette, named for what each colour is for.
WINDOW = "#f5f6f8"
SURFACE = "#ffffff"
ALT_ROW = "#f8f9fb"
BORDER = "#d9dde3"
GRID = "#eceef1"
TEXT = "#1f2328"
MUTED = "#6b7280"
NULL_TEXT = "#a0a6ad"
ACCENT = "#2563eb"
ACCENT_HOVER = "#1d4ed8"
ACCENT_SOFT = "#dbe7fd"
ERROR = "#b42318"
ERROR_SOFT = "#fdecea"
SUCCESS = "#067647"

MONO_FAMILIES = ("JetBrains Mono", "Cascadia Mono", "Menlo", "Consolas", "DejaVu Sans Mono")


def palette() -> QPalette:
    """The light palette."""
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: SURFACE,
        QPalette.ColorRole.AlternateBase: ALT_ROW,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: SURFACE,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.ToolTipBase: "#fffffe",
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: NULL_TEXT,
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: ACCENT,
        QPalette.ColorRole.Mid: BORDER,
        QPalette.ColorRole.Midlight: GRID,
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Dark: "#b8bec6",
        QPalette.ColorRole.Shadow: "#9aa1aa",
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(NULL_TEXT))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(NULL_TEXT))
    return pal


STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {WINDOW}; }}
QSplitter::handle {{ background: {WINDOW}; }}
QSplitter::handle:horizontal {{ width: 6px; }}
QSplitter::handle:vertical {{ height: 6px; }}

QFrame#panel {{
    background: {SURFACE};
    border: 1px solid {BORDER};
    border-radius: 6px;
}}
QLabel#panelTitle {{
    color: {MUTED};
    font-weight: 600;
    letter-spacing: 0.5px;
}}
QLabel#placeholder {{ color: {MUTED}; padding: 24px; }}
QLabel#muted {{ color: {MUTED}; }}

QTreeWidget, QTableView, QTextBrowser {{
    border: none;
    background: {SURFACE};
    selection-background-color: {ACCENT_SOFT};
    selection-color: {TEXT};
}}
QTreeWidget::item {{ padding: 2px 0; }}
QTableView {{ gridline-color: {GRID}; }}
QHeaderView::section {{
    background: {WINDOW};
    color: {TEXT};
    border: none;
    border-right: 1px solid {GRID};
    border-bottom: 1px solid {BORDER};
    padding: 4px 8px;
    font-weight: 600;
}}
QHeaderView::section:vertical {{
    color: {MUTED};
    font-weight: normal;
    padding: 0 6px;
}}
QTableCornerButton::section {{
    background: {WINDOW};
    border: none;
    border-bottom: 1px solid {BORDER};
    border-right: 1px solid {GRID};
}}

QPlainTextEdit#sqlEditor {{
    border: none;
    border-top: 1px solid {GRID};
    background: {SURFACE};
    selection-background-color: {ACCENT_SOFT};
    selection-color: {TEXT};
}}

QPushButton {{
    background: {SURFACE};
    border: 1px solid {BORDER};
    border-radius: 5px;
    padding: 4px 12px;
    min-height: 18px;
}}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:disabled {{ color: {NULL_TEXT}; border-color: {GRID}; }}
QPushButton#primary {{
    background: {ACCENT};
    border-color: {ACCENT};
    color: #ffffff;
    font-weight: 600;
}}
QPushButton#primary:hover {{ background: {ACCENT_HOVER}; }}
QPushButton#primary:disabled {{ background: #9db8f2; border-color: #9db8f2; }}
QToolButton#flat {{ border: none; padding: 2px 6px; color: {ACCENT}; font-weight: 600; }}
QToolButton#flat:hover {{ background: {ACCENT_SOFT}; border-radius: 4px; }}

QTabWidget::pane {{ border: none; border-top: 1px solid {BORDER}; }}
QTabBar::tab {{
    background: transparent;
    color: {MUTED};
    padding: 6px 14px;
    border: none;
    border-bottom: 2px solid transparent;
}}
QTabBar::tab:selected {{ color: {TEXT}; border-bottom: 2px solid {ACCENT}; font-weight: 600; }}
QTabBar::tab:hover {{ color: {TEXT}; }}

QStatusBar {{ background: {SURFACE}; border-top: 1px solid {BORDER}; }}
QStatusBar::item {{ border: none; }}
QLabel#statusState {{ padding: 0 8px; }}
QLabel#statusResult {{ color: {MUTED}; padding: 0 8px; }}
QProgressBar {{
    border: 1px solid {BORDER};
    border-radius: 4px;
    background: {WINDOW};
    max-height: 10px;
    text-align: center;
}}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
QMenuBar {{ background: {SURFACE}; border-bottom: 1px solid {BORDER}; }}
QMenuBar::item {{ padding: 4px 10px; background: transparent; }}
QMenuBar::item:selected {{ background: {ACCENT_SOFT}; border-radius: 4px; }}
QMenu {{ background: {SURFACE}; border: 1px solid {BORDER}; padding: 4px; }}
QMenu::item {{ padding: 5px 28px 5px 20px; border-radius: 4px; }}
QMenu::item:selected {{ background: {ACCENT_SOFT}; color: {TEXT}; }}
QMenu::separator {{ height: 1px; background: {GRID}; margin: 4px 8px; }}
QToolTip {{ border: 1px solid {BORDER}; padding: 4px; }}
"""


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


def apply(app: QApplication) -> None:
    """Gives ``app`` the Fusion style, the light palette and the style sheet."""
    app.setStyle("Fusion")
    app.setPalette(palette())
    font = app.font()
    if font.pointSize() < 10:
        font.setPointSize(10)
        app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)
