"""The chart type picker: the recommended chart first (marked ★), the alternatives one click
away, and a menu of every kind for the same columns.

The specs come from :func:`aiser_desktop.core.charts.recommend.recommend`; the picker only
shows them and says which one the person chose (``chosen``).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton, QWidget

from aiser_desktop.core.charts.spec import KINDS, ChartSpec

MAX_BUTTONS = 5
KIND_NAMES = {
    "line": "Line",
    "area": "Area",
    "bar": "Bars",
    "scatter": "Scatter",
    "histogram": "Histogram",
    "box": "Box",
    "heatmap": "Heatmap",
    "pie": "Pie",
    "kpi": "Number",
}


def spec_label(spec: ChartSpec) -> str:
    """A short name for a spec's button: "Bars", "Stacked bars", "Donut"..."""
    name = KIND_NAMES.get(spec.kind, spec.kind.capitalize())
    if spec.kind == "bar" and spec.horizontal:
        name = "Bars →"
    if spec.kind in ("bar", "area") and spec.stacked:
        name = f"Stacked {name.lower().rstrip(' →')}"
    if spec.kind == "pie" and spec.donut:
        name = "Donut"
    return name


def spec_summary(spec: ChartSpec) -> str:
    """What a spec draws, for the button's tooltip: "flights by carrier, as bars"."""
    measures = ", ".join([*spec.y, *spec.y2]) or "rows"
    parts = [measures if spec.kind not in ("histogram", "box") or spec.y else spec.x or ""]
    if spec.x and (spec.kind not in ("histogram", "box") or spec.y):
        parts.append(f"by {spec.x}")
    if spec.series:
        parts.append(f"and {spec.series}")
    return f"{' '.join(p for p in parts if p)}, as {spec_label(spec).lower()}"


class ChartPicker(QWidget):
    """A row of toggle buttons, one per proposed spec, and a "More" menu of kinds.

    Signals:
        chosen(ChartSpec): The person picked a chart.
    """

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.specs: list[ChartSpec] = []
        self.buttons: list[QToolButton] = []
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(2)
        self.more = QToolButton()
        self.more.setObjectName("flat")
        self.more.setText("More ▾")
        self.more.setToolTip("Draw the same columns as another kind of chart")
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more.setMenu(QMenu(self.more))
        self._row.addWidget(self.more)
        self._current: ChartSpec | None = None

    def set_specs(self, specs: list[ChartSpec], current: ChartSpec | None = None) -> None:
        """Shows ``specs`` (best first); ``current`` is checked (the first by default)."""
        for button in self.buttons:
            self._row.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        self.specs = list(specs[:MAX_BUTTONS])
        for index, spec in enumerate(self.specs):
            button = QToolButton()
            button.setObjectName("flat")
            button.setCheckable(True)
            label = spec_label(spec)
            button.setText(f"★ {label}" if index == 0 else label)
            tip = spec_summary(spec)
            button.setToolTip(f"Recommended: {tip}" if index == 0 else tip)
            button.clicked.connect(lambda _c=False, s=spec: self._pick(s))
            self._row.insertWidget(index, button)
            self.buttons.append(button)
        self.mark(current or (self.specs[0] if self.specs else None))

    def mark(self, spec: ChartSpec | None) -> None:
        """Checks the button of ``spec`` (none when it is not among them); fills More."""
        self._current = spec
        for button, candidate in zip(self.buttons, self.specs, strict=True):
            button.setChecked(spec is not None and candidate == spec)
        menu = self.more.menu()
        menu.clear()
        self.more.setEnabled(spec is not None)
        if spec is None:
            return
        for kind in KINDS:
            if kind == spec.kind:
                continue
            other = replace(spec, kind=kind)
            action = menu.addAction(KIND_NAMES[kind])
            action.triggered.connect(lambda _c=False, s=other: self._pick(s))

    def _pick(self, spec: ChartSpec) -> None:
        self.mark(spec)
        self.chosen.emit(spec)
