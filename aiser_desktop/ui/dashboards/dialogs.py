"""The dashboards' dialogs: a dashboard filter, and "Add to dashboard" from the main window.

Both are window-modal and never block the event loop (``open()``, not ``exec()``); what they
decide comes back by signal, and the caller does the work on a task thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.dashboards.model import DashboardError, DashboardFilter


class FilterDialog(QDialog):
    """Asks for one dashboard filter: a column, and a range or a list of values.

    Signals:
        chosen(DashboardFilter): OK with a valid filter.
    """

    chosen = Signal(object)

    def __init__(self, columns: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Filter the dashboard")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.column = QComboBox()
        self.column.setEditable(True)
        self.column.addItems(columns)
        self.column.setToolTip("Every tile whose result has this column is filtered")
        self.values_choice = QRadioButton("One of these values")
        self.range_choice = QRadioButton("Between")
        self.values_choice.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.values_choice)
        group.addButton(self.range_choice)
        self.values = QLineEdit()
        self.values.setPlaceholderText("AA, UA, DL")
        self.start = QLineEdit()
        self.start.setPlaceholderText("2013-01-01 (empty: from the start)")
        self.end = QLineEdit()
        self.end.setPlaceholderText("2013-06-30 (empty: to the end)")
        range_row = QHBoxLayout()
        range_row.addWidget(self.start)
        range_row.addWidget(QLabel("and"))
        range_row.addWidget(self.end)
        self.error = QLabel("")
        self.error.setObjectName("muted")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Column", self.column)
        form.addRow(self.values_choice, self.values)
        form.addRow(self.range_choice, range_row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        help_text = QLabel(
            "The filter applies to every tile whose query returns this column; the other "
            "tiles stay as they are."
        )
        help_text.setObjectName("muted")
        help_text.setWordWrap(True)
        layout.addWidget(help_text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.values.textEdited.connect(lambda _t: self.values_choice.setChecked(True))
        self.start.textEdited.connect(lambda _t: self.range_choice.setChecked(True))
        self.end.textEdited.connect(lambda _t: self.range_choice.setChecked(True))
        self.resize(520, self.sizeHint().height())

    def value(self) -> DashboardFilter:
        """The filter as typed.

        Raises:
            DashboardError: No column, or nothing to filter on.
        """
        column = self.column.currentText().strip()
        if self.range_choice.isChecked():
            flt = DashboardFilter(
                column, "range", self.start.text().strip() or None, self.end.text().strip() or None
            )
        else:
            values = tuple(v.strip() for v in self.values.text().split(",") if v.strip())
            flt = DashboardFilter(column, "values", values=values)
        if not flt.active:
            raise DashboardError(
                "The filter keeps everything.", hint="Type the values, or a start or an end."
            )
        return flt

    def accept(self) -> None:
        try:
            flt = self.value()
        except DashboardError as exc:
            self.error.setText(str(exc))
            return
        self.chosen.emit(flt)
        super().accept()


class AddToDashboardDialog(QDialog):
    """Picks a dashboard (or names a new one), a title and how to show the result.

    Args:
        names: The dashboards there are.
        kinds: What the result can be shown as, best first: (kind, label) pairs such as
            ("chart", "Chart (bar)"), ("table", "Table"), ("kpi", "KPI number").
        title: The tile's title to start from.

    Signals:
        chosen(str, str, str): The dashboard's name (new or existing), the tile kind, the
            title.
    """

    chosen = Signal(str, str, str)
    NEW = "New dashboard…"

    def __init__(
        self,
        names: list[str],
        kinds: list[tuple[str, str]],
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add to dashboard")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dashboard = QComboBox()
        self.dashboard.addItems(names)
        self.dashboard.addItem(self.NEW)
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("Name of the new dashboard")
        self.new_name.setText("" if names else "My dashboard")
        self.kind = QComboBox()
        for kind, label in kinds:
            self.kind.addItem(label, kind)
        self.title = QLineEdit(title)
        self.error = QLabel("")
        self.error.setObjectName("muted")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Dashboard", self.dashboard)
        form.addRow("", self.new_name)
        form.addRow("Show as", self.kind)
        form.addRow("Title", self.title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.addButton("Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.dashboard.currentTextChanged.connect(self._new_shown)
        self._new_shown(self.dashboard.currentText())
        self.resize(460, self.sizeHint().height())

    def _new_shown(self, text: str) -> None:
        self.new_name.setVisible(text == self.NEW)
        if text == self.NEW:
            self.new_name.setFocus()

    def choose(self, dashboard: str, kind: str | None = None, title: str | None = None) -> None:
        """Fills the dialog (a name not listed becomes a new dashboard's name)."""
        index = self.dashboard.findText(dashboard)
        if index >= 0:
            self.dashboard.setCurrentIndex(index)
        else:
            self.dashboard.setCurrentText(self.NEW)
            self.new_name.setText(dashboard)
        if kind is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        if title is not None:
            self.title.setText(title)

    def values(self) -> tuple[str, str, str]:
        name = self.dashboard.currentText()
        if name == self.NEW:
            name = " ".join(self.new_name.text().split())
        return name, str(self.kind.currentData()), " ".join(self.title.text().split())

    def accept(self) -> None:
        name, kind, title = self.values()
        if not name:
            self.error.setText("Name the new dashboard.")
            return
        self.chosen.emit(name, kind, title)
        super().accept()

    def show_error(self, text: Any) -> None:
        self.error.setText(str(text))


def ask_text(parent: QWidget, title: str, label: str, text: str, done: Any) -> QInputDialog:
    """Asks for a few lines of text (a note, a query); ``done(text)`` on OK. Not blocking."""
    return ask_line(parent, title, label, text, done, lines=True)


def ask_line(
    parent: QWidget, title: str, label: str, text: str, done: Any, *, lines: bool = False
) -> QInputDialog:
    """Asks for one line of text (a title), or several; ``done(text)`` on OK. Not blocking."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    if lines:
        dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        dialog.resize(480, 280)
    dialog.setTextValue(text)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.textValueSelected.connect(done)
    dialog.open()
    return dialog
