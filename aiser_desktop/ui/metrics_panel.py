"""The Metrics tab of the left panel: the semantic model's cubes, measures and dimensions, and
a small query builder that runs them.

The tree lists each cube with its measures (Σ), dimensions (an icon per type) and segments;
descriptions are tooltips; the search box keeps what matches. Double-clicking a member, or
dragging it onto the builder, the Chart tab or the results, adds it to the query (a measure
to the measures, a time dimension as the time axis by month, another dimension to the
groups, a segment to the segments) and runs it: :func:`aiser_desktop.core.semantic.run_query`
on a task thread, the rows in the grid, a chart spec (x the time or first dimension, y the
measures) for the Chart tab. Dropped on a SQL editor, members become the SQL of a query
of them (ui/metrics_window.py).

The menu opens model files in the model editor (:mod:`aiser_desktop.ui.model_editor`),
makes a new cube, and generates a first model from the catalog.
:func:`aiser_desktop.ui.metrics_window.attach` wires the panel to the window.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.ui.metrics_query import (
    MEMBER_MIME,
    NAME_ROLE,
    QueryBuilder,
    chart_spec,
    member_icon,
    member_mime,
)
from aiser_desktop.ui.widgets import search_box
from aiser_desktop.ui.workers import TaskRunner

KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "cube", "measure", "dimension", "segment"
TYPE_ROLE = Qt.ItemDataRole.UserRole + 2  # the member's Cube type
PATH_ROLE = Qt.ItemDataRole.UserRole + 3  # on a cube: its file
NO_MODEL = (
    "No metrics yet.\n\nA metric is defined once, in Cube's YAML format, in the workspace's "
    "model folder. Generate a first model from your tables with Model ▸ Generate model, or "
    "write a cube with Model ▸ New cube."
)


# ---------------------------------------------------------------------- the tree
class MemberTree(QTreeWidget):
    """Cubes and their members; drag members out, double-click to add them to the query.

    Signals:
        member_activated(dict): {name, kind, type} of a double-clicked member.
        edit_requested(Path): "Edit file" on a cube.
    """

    member_activated = Signal(dict)
    edit_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.itemDoubleClicked.connect(self._activated)

    def set_model(self, model: Any) -> None:
        """Lists ``model``'s cubes (by name) with measures, dimensions and segments."""
        self.clear()
        for name in sorted(model.cubes):
            cube = model.cubes[name]
            item = QTreeWidgetItem([cube.title or name])
            item.setIcon(0, member_icon("cube"))
            item.setData(0, NAME_ROLE, name)
            item.setData(0, KIND_ROLE, "cube")
            item.setData(0, PATH_ROLE, str(cube.path) if cube.path else "")
            tip = [f"<b>{name}</b>", cube.description or "", f"Table: {cube.sql_table or 'SQL'}"]
            if cube.path:
                tip.append(f"File: {Path(cube.path).name}")
            item.setToolTip(0, "<br>".join(t for t in tip if t))
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDragEnabled)
            members = [
                *cube.measures.values(),
                *cube.dimensions.values(),
                *cube.segments.values(),
            ]
            for member in members:
                if not getattr(member, "public", True):
                    continue
                child = QTreeWidgetItem([member.title or member.name])
                child.setIcon(0, member_icon(member.kind, member.type))
                child.setData(0, NAME_ROLE, member.full_name)
                child.setData(0, KIND_ROLE, member.kind)
                child.setData(0, TYPE_ROLE, member.type)
                about = member.description or ""
                child.setToolTip(
                    0,
                    f"<b>{member.full_name}</b> · {member.kind}, {member.type}"
                    + (f"<br>{about}" if about else "")
                    + (f"<br><code>{member.sql}</code>" if member.sql else ""),
                )
                item.addChild(child)
            self.addTopLevelItem(item)
        if self.topLevelItemCount() <= 3:
            self.expandAll()

    def members(self) -> list[QTreeWidgetItem]:
        found = []
        for i in range(self.topLevelItemCount()):
            cube = self.topLevelItem(i)
            if cube is None:
                continue
            for j in range(cube.childCount()):
                child = cube.child(j)
                if child is not None:
                    found.append(child)
        return found

    def item_for(self, full_name: str) -> QTreeWidgetItem | None:
        return next((m for m in self.members() if m.data(0, NAME_ROLE) == full_name), None)

    def set_filter(self, text: str) -> int:
        """Keeps the members whose name, title or description has ``text``; returns how many."""
        needle = text.strip().lower()
        shown = 0
        for i in range(self.topLevelItemCount()):
            cube = self.topLevelItem(i)
            if cube is None:
                continue
            cube_hit = not needle or needle in cube.text(0).lower()
            any_child = False
            for j in range(cube.childCount()):
                child = cube.child(j)
                if child is None:
                    continue
                hay = " ".join(
                    [child.text(0), str(child.data(0, NAME_ROLE)), child.toolTip(0)]
                ).lower()
                hit = cube_hit or needle in hay
                child.setHidden(not hit)
                any_child = any_child or hit
                shown += int(hit)
            cube.setHidden(not (cube_hit or any_child))
            if needle and any_child:
                cube.setExpanded(True)
        return shown

    @staticmethod
    def entry(item: QTreeWidgetItem) -> dict[str, str]:
        return {
            "name": str(item.data(0, NAME_ROLE)),
            "kind": str(item.data(0, KIND_ROLE)),
            "type": str(item.data(0, TYPE_ROLE) or ""),
        }

    def mimeData(self, items: Any) -> QMimeData:
        members = [i for i in items if i.data(0, KIND_ROLE) != "cube"]
        return member_mime([self.entry(i) for i in members])

    def mimeTypes(self) -> list[str]:
        return [MEMBER_MIME, "text/plain"]

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, KIND_ROLE) != "cube":
            self.member_activated.emit(self.entry(item))

    def _menu(self, pos: Any) -> None:
        item = self.itemAt(pos)
        if item is None:
            return
        cube = item if item.data(0, KIND_ROLE) == "cube" else item.parent()
        menu = QMenu(self)
        if item is not cube:
            menu.addAction("Add to the query", lambda: self._activated(item, 0))
        path = cube.data(0, PATH_ROLE) if cube is not None else ""
        if path:
            menu.addAction(f"Edit {Path(path).name}", lambda: self.edit_requested.emit(Path(path)))
        menu.popup(self.viewport().mapToGlobal(pos))


# ---------------------------------------------------------------------- the panel
class MetricsPanel(QWidget):
    """The Metrics tab: search, the model's tree, and the query builder.

    Signals:
        result_ready(object, object, float): (CompiledQuery, Arrow table, seconds) of a run.
        failed(str, object): (what failed, the error).
        open_file(object, str, bool): (path, text, new) for the model editor.
        open_sql(str): the compiled SQL, for a new editor tab.
        model_changed(object): the model was (re)loaded; None when there is none.
        note(str, str): (kind, text) for the messages pane.
    """

    result_ready = Signal(object, object, float)
    failed = Signal(str, object)
    open_file = Signal(object, str, bool)
    open_sql = Signal(str)
    model_changed = Signal(object)
    note = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = TaskRunner(self)
        self.workspace: Any = None
        self.model: Any = None
        self.errors: list[Any] = []
        self.running = False
        self.last_chart: Any = None  # the ChartSpec of the last result
        self.last_compiled: Any = None
        self.show_chart_next = False  # members were dropped on the Chart tab: show it

        self.search = search_box("Search measures and dimensions")
        self.menu_button = QToolButton()
        self.menu_button.setObjectName("flat")
        self.menu_button.setText("Model ▾")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.menu_button)
        self.new_cube_action = menu.addAction("New cube…", self.new_cube)
        self.generate_action = menu.addAction("Generate model from the tables", self.generate)
        menu.addSeparator()
        self.reload_action = menu.addAction("Reload the model", self.reload)
        self.menu_button.setMenu(menu)
        self.tree = MemberTree()
        self.placeholder = QLabel(NO_MODEL)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.tree)
        self.builder = QueryBuilder()
        self.problems = QLabel("")
        self.problems.setObjectName("muted")
        self.problems.setWordWrap(True)
        self.problems.hide()

        top = QHBoxLayout()
        top.setContentsMargins(8, 0, 6, 6)
        top.setSpacing(4)
        top.addWidget(self.search, 1)
        top.addWidget(self.menu_button)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.setSpacing(0)
        upper_layout.addWidget(self.stack, 1)
        upper_layout.addWidget(self.problems)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        scroll = QScrollArea()  # a short window scrolls the query instead of growing
        scroll.setWidget(self.builder)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        split.addWidget(scroll)
        split.setStretchFactor(0, 1)
        split.setChildrenCollapsible(False)
        self.split = split
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self.search.textChanged.connect(self.tree.set_filter)
        self.tree.member_activated.connect(self.add_and_run)
        self.tree.edit_requested.connect(self.edit_file)
        self.builder.run_requested.connect(self.run)
        self.builder.sql_button.clicked.connect(self.show_sql)
        self._enable()

    # ------------------------------------------------------------------ the model
    def set_workspace(self, workspace: Any) -> None:
        self.workspace = workspace
        if workspace is None:
            self._set_model(None, [])
        else:
            self.reload()
        self._enable()

    def reload(self) -> None:
        """Reads the model files again, on a task thread."""
        if self.workspace is None:
            return
        from aiser_desktop.core.semantic import load_model

        self.tasks.start(
            "load the semantic model",
            load_model,
            Path(self.workspace.path),
            on_done=lambda found: self._set_model(*found),
            on_error=lambda exc: self.failed.emit("The semantic model could not be read.", exc),
        )

    def _set_model(self, model: Any, errors: list[Any]) -> None:
        has_cubes = model is not None and bool(model.cubes)
        self.model = model if has_cubes else None
        self.errors = list(errors)
        if has_cubes:
            self.tree.set_model(model)
            self.tree.set_filter(self.search.text())
            self.stack.setCurrentWidget(self.tree)
        else:
            self.tree.clear()
            self.stack.setCurrentWidget(self.placeholder)
        self.builder.set_model(self.model)
        if errors:
            first = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            self.problems.setText(f"⚠ {Path(first.path).name}:{first.line}: {first.message}{more}")
            self.problems.setToolTip("\n".join(str(e) for e in errors[:20]))
        self.problems.setVisible(bool(errors))
        self._enable()
        self.model_changed.emit(self.model)

    def _enable(self) -> None:
        is_open = self.workspace is not None
        for action in (self.new_cube_action, self.generate_action, self.reload_action):
            action.setEnabled(is_open)
        self.builder.run_button.setEnabled(self.model is not None and not self.running)
        self.builder.sql_button.setEnabled(self.model is not None)

    # ------------------------------------------------------------------ files
    def model_folder(self) -> Path:
        assert self.workspace is not None
        return Path(self.workspace.path) / "model"

    def edit_file(self, path: Path) -> None:
        """Reads a model file (on a task thread) and asks for it in the model editor."""
        self.tasks.start(
            f"read {Path(path).name}",
            Path(path).read_text,
            "utf-8",
            on_done=lambda text: self.open_file.emit(Path(path), text, False),
            on_error=lambda exc: self.failed.emit(f"{Path(path).name} could not be read.", exc),
        )

    def new_cube(self, table: str = "") -> Path | None:
        """Opens a new cube file (not written until saved) in the model editor."""
        from aiser_desktop.ui.model_editor import new_cube_text

        if self.workspace is None:
            return None
        folder = self.model_folder() / "cubes"
        base = (table.split(".")[-1] if table else "new_cube") or "new_cube"
        name, n = base, 2
        taken = set(self.model.cubes) if self.model is not None else set()
        while (folder / f"{name}.yml").exists() or name in taken:
            name, n = f"{base}_{n}", n + 1
        path = folder / f"{name}.yml"
        self.open_file.emit(path, new_cube_text(name, table or name), True)
        return path

    def generate(self) -> None:
        """Writes a first model from the catalog (a cube per table), then reloads."""
        if self.workspace is None:
            return
        from aiser_desktop.core.semantic import generate_model

        workspace = self.workspace

        def make() -> list[Path]:
            return list(generate_model(workspace.sources.catalog(), Path(workspace.path)))

        def done(paths: list[Path]) -> None:
            self.note.emit("success", f"Generated {len(paths)} model file(s) in model/cubes.")
            self.reload()

        self.tasks.start(
            "generate the semantic model",
            make,
            on_done=done,
            on_error=lambda exc: self.failed.emit("The model could not be generated.", exc),
        )

    # ------------------------------------------------------------------ queries
    def add_and_run(self, entry: dict[str, str]) -> None:
        """Adds a member to the query and runs it (when it has a measure or a dimension)."""
        self.builder.add(entry)
        if not self.builder.is_empty():
            self.run()

    def add_members(self, entries: list[dict[str, str]]) -> None:
        """Members dropped elsewhere (the Chart tab, the results): added, then run."""
        for entry in entries:
            self.builder.add(entry)
        if entries and not self.builder.is_empty():
            self.run()

    def compile(self) -> Any:
        """The builder's query compiled (fast and pure: on the GUI thread is fine)."""
        from aiser_desktop.core.semantic import compile_query

        return compile_query(self.model, self.builder.query())

    def sql_for(self, entries: list[dict[str, str]]) -> str | None:
        """The SQL of a query of just these members (dropped on the SQL editor), or None
        when there is no model or they do not make a query."""
        from aiser_desktop.core.semantic import compile_query

        if self.model is None:
            return None
        query: dict[str, Any] = {"measures": [], "dimensions": []}
        for entry in entries:
            name, kind = entry["name"], entry["kind"]
            if kind == "measure":
                query["measures"].append(name)
            elif kind == "dimension" and entry.get("type") == "time":
                query["timeDimensions"] = [{"dimension": name, "granularity": "month"}]
            elif kind == "dimension":
                query["dimensions"].append(name)
        try:
            return str(compile_query(self.model, query).sql)
        except Exception:
            return None

    def show_sql(self) -> None:
        if self.model is None or self.builder.is_empty():
            return
        try:
            self.open_sql.emit(self.compile().sql)
        except Exception as exc:
            self.failed.emit("The metrics query could not be compiled.", exc)

    def run(self) -> None:
        """Runs the builder's query on a task thread (one at a time)."""
        if self.model is None or self.workspace is None or self.running:
            return
        if self.builder.is_empty():
            return
        from aiser_desktop.core.semantic import run_query

        query = self.builder.query()
        model, workspace = self.model, self.workspace
        started = time.perf_counter()

        def work() -> tuple[Any, Any, float]:
            compiled, table = run_query(workspace, model, query)
            return compiled, table, time.perf_counter() - started

        self.running = True
        self._enable()
        self.tasks.start("run a metrics query", work, on_done=self._ran, on_error=self._run_failed)

    def _ran(self, found: tuple[Any, Any, float]) -> None:
        compiled, table, seconds = found
        self.running = False
        self._enable()
        self.last_compiled = compiled
        titles = {m.full_name: m.title for m in self.model.members() if m.title}
        self.last_chart = chart_spec(self.builder.query(), list(table.column_names), titles)
        self.result_ready.emit(compiled, table, seconds)

    def _run_failed(self, exc: BaseException) -> None:
        self.running = False
        self._enable()
        self.failed.emit("The metrics query failed.", exc)
