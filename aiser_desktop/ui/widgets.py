"""Small widgets the panels share, styled by ui/theme.py through their object names."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QToolButton


def flat_button(text: str, tip: str = "") -> QToolButton:
    """A borderless text button in the accent colour (style sheet: ``QToolButton#flat``)."""
    button = QToolButton()
    button.setObjectName("flat")
    button.setText(text)
    if tip:
        button.setToolTip(tip)
    return button


def search_box(placeholder: str) -> QLineEdit:
    """A search field with a clear button (style sheet: ``QLineEdit#search``)."""
    box = QLineEdit()
    box.setObjectName("search")
    box.setPlaceholderText(placeholder)
    box.setClearButtonEnabled(True)
    return box
