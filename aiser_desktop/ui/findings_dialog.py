"""Findings and data quality in the window: the job after an add, and the dialog that shows
what it found.

:class:`FindingsJobs` listens for sources being added (or refreshed) and runs the findings
job (``core/insights/saved.run_and_save``) on the session's task runner, one source at a
time, on a cursor of its own, so the window and the person's queries never wait for it; a
message says when a source's findings are ready. The sources tree's "Findings…" and "Data
quality…" open :class:`FindingsDialog` on the saved report (read on a worker), with "Open SQL
in editor" on each finding and each problem, and "Run again".

``install(window)`` wires it all; the window calls it once.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.events import SourcesChanged
from aiser_desktop.ui import theme

if TYPE_CHECKING:
    from aiser_desktop.core.insights.saved import SavedReport
    from aiser_desktop.ui.session import WorkspaceSession

log = logging.getLogger(__name__)

SQL_LINES = 4


class FindingsJobs(QObject):
    """Runs the findings job for sources as they are added; one at a time.

    Signals:
        finished(str, object): A source's findings were saved (its name, the FindingsReport).
        failed(str, object): The job failed for a source (its name, the error).
    """

    finished = Signal(str, object)
    failed = Signal(str, object)
    _changed = Signal(tuple)

    def __init__(self, session: WorkspaceSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._queue: deque[str] = deque()
        self.running: str | None = None
        self._unsubscribe = session.hub.subscribe(SourcesChanged, self._on_changed)
        self._changed.connect(self._enqueue, Qt.ConnectionType.QueuedConnection)
        self.automatic = True

    def _on_changed(self, msg: SourcesChanged) -> None:  # on the thread that published
        if self.automatic:
            self._changed.emit(tuple(msg.names))

    def _enqueue(self, names: tuple[str, ...]) -> None:
        for name in names:
            self.run(name)

    def run(self, source: str) -> None:
        """Queues the job for ``source`` (once, however often it is asked for)."""
        if source != self.running and source not in self._queue:
            self._queue.append(source)
        self._next()

    @property
    def busy(self) -> bool:
        return self.running is not None or bool(self._queue)

    def _next(self) -> None:
        session = self.session
        if self.running is not None or not self._queue:
            return
        if not session.is_open:
            self._queue.clear()
            return
        source = self._queue.popleft()
        self.running = source
        session.tasks.start(
            f"find insights in {source}",
            _find,
            session.ws,
            source,
            lambda: session.closing,
            session._counting,  # interrupted when the window closes
            on_done=lambda report: self._done(source, report),
            on_error=lambda exc: self._failed(source, exc),
        )

    def _done(self, source: str, report: Any) -> None:
        self.running = None
        count = len(report.findings)
        if count and not self.session.closing:
            self.session.note.emit(
                "info",
                f"{count} finding{'s' if count != 1 else ''} in {source} worth a look: "
                "right-click it in Sources, then Findings….",
                None,
            )
        self.finished.emit(source, report)
        self._next()

    def _failed(self, source: str, exc: BaseException) -> None:
        from aiser_desktop.core.errors import SourceNotFoundError

        self.running = None
        log.warning("findings of %s failed: %s", source, exc)
        # SourcesChanged is also sent when a source is removed: its job finds no source
        if not self.session.closing and not isinstance(exc, SourceNotFoundError):
            self.failed.emit(source, exc)
        self._next()

    def close(self) -> None:
        self._queue.clear()
        self._unsubscribe()


def _find(ws: Any, source: str, should_stop: Any, cursors: Any) -> Any:
    """The findings job of ``source``, saved (on a task thread)."""
    from aiser_desktop.core.insights.saved import run_and_save

    return run_and_save(ws, source, should_stop=should_stop, cursors=cursors)


class FindingsDialog(QDialog):
    """A source's findings and data-quality results.

    Signals:
        open_sql(str, str): Open this SQL in a new editor tab (the SQL, the tab's title).
    """

    open_sql = Signal(str, str)

    def __init__(
        self, session: WorkspaceSession, jobs: FindingsJobs, source: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.source = source
        self.setObjectName("findingsDialog")
        self.setWindowTitle(f"Findings: {source}")
        self.resize(760, 600)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        top = QHBoxLayout()
        self.summary = QLabel("Reading the saved findings…")
        self.summary.setWordWrap(True)
        self.summary.setObjectName("findingsSummary")
        top.addWidget(self.summary, 1)
        self.run_button = QPushButton("Run again")
        self.run_button.setToolTip("Screen the source again (in the background)")
        self.run_button.clicked.connect(self.run_again)
        top.addWidget(self.run_button)
        layout.addLayout(top)
        self.tabs = QTabWidget()
        self.findings_page = QWidget()
        self.findings_layout = QVBoxLayout(self.findings_page)
        self.findings_layout.setContentsMargins(2, 2, 8, 2)
        self.findings_layout.setSpacing(10)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.findings_page)
        self.tabs.addTab(scroll, "Findings")
        self.quality = QTreeWidget()
        self.quality.setObjectName("qualityTree")
        self.quality.setHeaderLabels(["Problem", "Rows", "Share"])
        self.quality.setRootIsDecorated(True)
        self.quality.setWordWrap(True)
        self.quality.setUniformRowHeights(False)
        header = self.quality.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.quality.itemDoubleClicked.connect(lambda item, _c: self._open_issue(item))
        quality_page = QWidget()
        q_layout = QVBoxLayout(quality_page)
        q_layout.setContentsMargins(0, 6, 0, 0)
        q_layout.addWidget(self.quality, 1)
        q_buttons = QHBoxLayout()
        self.quality_note = QLabel("")
        self.quality_note.setWordWrap(True)
        self.quality_note.setStyleSheet(f"color: {theme.colours().muted};")
        q_buttons.addWidget(self.quality_note, 1)
        self.open_issue = QPushButton("Open SQL in editor")
        self.open_issue.setEnabled(False)
        self.open_issue.clicked.connect(lambda: self._open_issue(self.quality.currentItem()))
        self.quality.currentItemChanged.connect(
            lambda item, _p: self.open_issue.setEnabled(bool(item and item.data(0, _SQL)))
        )
        q_buttons.addWidget(self.open_issue)
        q_layout.addLayout(q_buttons)
        self.tabs.addTab(quality_page, "Data quality")
        layout.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        jobs.finished.connect(self._job_finished)
        jobs.failed.connect(self._job_failed)
        self.reports: dict[str, Any] = {}

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        """Reads the saved reports on a worker, then shows them."""
        from aiser_desktop.core.insights import saved

        source = self.source

        def read(state: Any) -> dict[str, SavedReport | None]:
            return {kind: saved.load(state, source, kind) for kind in saved.KINDS}

        if self.jobs.running == source or source in self.jobs._queue:
            self._busy()
        self.session.state_call(
            f"read the findings of {source}",
            read,
            on_done=self.show_reports,
            on_error=lambda exc: self.summary.setText(f"The findings could not be read: {exc}"),
        )

    def run_again(self) -> None:
        self.jobs.run(self.source)
        self._busy()

    def _busy(self) -> None:
        self.run_button.setEnabled(False)
        self.summary.setText(f"Screening {self.source} in the background…")

    def _job_finished(self, source: str, _report: Any) -> None:
        if source == self.source:
            self.run_button.setEnabled(True)
            self.load()

    def _job_failed(self, source: str, exc: BaseException) -> None:
        if source == self.source:
            self.run_button.setEnabled(True)
            self.summary.setText(f"Screening {source} failed: {exc}")

    def show_reports(self, reports: dict[str, SavedReport | None]) -> None:
        """Shows the saved findings and quality report (None: not made yet)."""
        self.reports = reports
        findings, quality = reports.get("findings"), reports.get("quality")
        self._clear_findings()
        busy = self.jobs.running == self.source or self.source in self.jobs._queue
        if findings is None:
            if not busy:
                self.summary.setText(
                    f"No findings for {self.source} yet. They are made in the background "
                    "after a source is added; Run again makes them now."
                )
            self.findings_layout.addStretch(1)
        else:
            self._show_findings(findings)
        self._show_quality(quality)

    def _clear_findings(self) -> None:
        while self.findings_layout.count():
            item = self.findings_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def _show_findings(self, saved: SavedReport) -> None:
        report = saved.report
        items = report.get("findings", [])
        read = "; ".join(f"{t['table']}: {t['read']}" for t in report.get("tables", []))
        when = saved.created_at.astimezone().strftime("%d %b %Y %H:%M")
        self.summary.setText(
            f"<b>{len(items)} finding{'s' if len(items) != 1 else ''} worth a look</b> in "
            f"{self.source}<br><span style='color:{theme.colours().muted}'>Screened {read} "
            f"in {saved.seconds:.1f} s, {when}.</span>"
        )
        if not items:
            empty = QLabel("Nothing stood out: no problems and no unusual patterns were found.")
            empty.setWordWrap(True)
            self.findings_layout.addWidget(empty)
        for n, finding in enumerate(items, 1):
            self.findings_layout.addWidget(self._card(n, finding))
        self.findings_layout.addStretch(1)

    def _card(self, n: int, finding: dict[str, Any]) -> QFrame:
        c = theme.colours()
        card = QFrame()
        card.setObjectName("findingCard")
        card.setStyleSheet(
            f"QFrame#findingCard {{ background: {c.surface}; border: 1px solid {c.border}; "
            "border-radius: 6px; }"
        )
        layout = QVBoxLayout(card)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        kind = str(finding.get("kind", "")).replace("_", " ")
        head = QLabel(
            f"<span style='color:{c.muted}'>{n}.&nbsp;{_esc(kind)} · {_esc(finding['table'])}"
            f"</span><br><b>{_esc(finding['headline'])}</b>"
        )
        head.setWordWrap(True)
        head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(head)
        if finding.get("detail"):
            detail = QLabel(str(finding["detail"]))
            detail.setWordWrap(True)
            detail.setStyleSheet(f"color: {c.muted};")
            layout.addWidget(detail)
        if finding.get("chart") and finding.get("chart_sql"):
            layout.addWidget(self._chart(finding))
        sql = QLabel(_short_sql(str(finding["sql"])))
        sql.setFont(theme.mono_font())
        sql.setWordWrap(True)
        sql.setStyleSheet(
            f"background: {c.alt_row}; border: 1px solid {c.grid}; border-radius: 4px; "
            "padding: 6px;"
        )
        sql.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(sql)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        title = f"{finding['table']}: {kind}"
        if finding.get("chart_sql"):
            chart = QPushButton("Open chart data")
            chart.setToolTip("The query behind the chart; the chart spec travels with it")
            chart.clicked.connect(
                lambda _=False, s=finding["chart_sql"]: self.open_sql.emit(str(s), title)
            )
            buttons.addWidget(chart)
        rows_sql = (finding.get("extra") or {}).get("rows_sql")
        if rows_sql:
            rows = QPushButton("Show the rows")
            rows.clicked.connect(lambda _=False, s=rows_sql: self.open_sql.emit(str(s), title))
            buttons.addWidget(rows)
        open_sql = QPushButton("Open SQL in editor")
        open_sql.setObjectName("openFindingSql")
        open_sql.clicked.connect(
            lambda _=False, s=finding["sql"]: self.open_sql.emit(str(s), title)
        )
        buttons.addWidget(open_sql)
        layout.addLayout(buttons)
        return card

    def _chart(self, finding: dict[str, Any]) -> QLabel:
        """A picture of the finding's chart, drawn when its data is in (queried on a worker,
        drawn once: a finding is read, not zoomed); nothing shows if it cannot be drawn."""
        label = QLabel()
        label.setObjectName("findingChart")
        label.hide()
        ws = self.session.ws

        def drawn(data: Any) -> None:
            from PySide6.QtGui import QPixmap

            from aiser_desktop.ui.charts.render import render_image

            mode = "dark" if theme.is_dark() else "light"
            ratio = label.devicePixelRatioF() or 1.0
            image = render_image(
                data, width=CHART_W, height=CHART_H, theme=mode, scale=0.8, pixel_ratio=ratio
            )
            label.setPixmap(QPixmap.fromImage(image))
            label.show()

        if ws is not None:
            self.session.tasks.start(
                "shape a finding's chart",
                _chart_data,
                ws,
                str(finding["chart_sql"]),
                dict(finding["chart"]),
                on_done=lambda data: drawn(data) if _alive(label) else None,
                on_error=lambda exc: log.info("a finding's chart was not drawn: %s", exc),
            )
        return label

    def _show_quality(self, saved: SavedReport | None) -> None:
        self.quality.clear()
        if saved is None:
            self.quality_note.setText("No data-quality results yet.")
            return
        checks: list[str] = []
        for table in saved.report.get("tables", []):
            issues = table.get("issues", [])
            real = [i for i in issues if i["check"] != "missing_values"]
            parent = QTreeWidgetItem(
                [f"{table['table']}: {len(real)} problem{'s' if len(real) != 1 else ''}, "
                 f"{len(issues) - len(real)} columns with missing values "
                 f"(screened {table['screened']})", f"{table['rows']:,}", ""]
            )  # fmt: skip
            self.quality.addTopLevelItem(parent)
            for issue in issues:
                item = QTreeWidgetItem(
                    [f"{_MARK[issue['severity']]}  {issue['headline']}",
                     f"{issue['count']:,}", f"{issue['share']:g}%"]
                )  # fmt: skip
                item.setData(0, _SQL, issue.get("rows_sql") or issue["sql"])
                item.setData(0, _TITLE, f"{issue['table']}: {issue['check'].replace('_', ' ')}")
                item.setToolTip(0, f"{issue['headline']}\n{issue.get('detail', '')}".strip())
                parent.addChild(item)
            parent.setExpanded(True)
            checks = table.get("checks", checks)
        self.quality_note.setText(
            "Checks: " + ", ".join(checks) + ". Double-click a problem to see its rows."
        )

    def _open_issue(self, item: QTreeWidgetItem | None) -> None:
        if item is None or not item.data(0, _SQL):
            return
        self.open_sql.emit(str(item.data(0, _SQL)), str(item.data(0, _TITLE)))

    def show_tab(self, which: str) -> None:
        """Shows the "findings" or the "quality" tab."""
        self.tabs.setCurrentIndex(1 if which == "quality" else 0)


CHART_W, CHART_H = 560, 170


def _chart_data(ws: Any, sql: str, chart: dict[str, Any]) -> Any:
    """On a worker: the ChartData of a finding's chart spec over its query."""
    from aiser_desktop.core.charts.data import fetch_chart_data
    from aiser_desktop.core.charts.spec import ChartSpec
    from aiser_desktop.ui.charts.sources import HeldCursor

    spec = ChartSpec.from_dict(dict(chart))
    with ws.engine.cursor() as cur:
        return fetch_chart_data(HeldCursor(cur), sql, spec, pixels=CHART_W, build_pyramid=False)


def _alive(widget: QWidget) -> bool:
    """False once Qt has deleted the widget (the dialog closed before the chart came)."""
    from shiboken6 import isValid

    return bool(isValid(widget))


_SQL = Qt.ItemDataRole.UserRole
_TITLE = Qt.ItemDataRole.UserRole + 1
_MARK = {"error": "●", "warning": "▲", "info": "○"}


def _esc(text: Any) -> str:
    import html

    return html.escape(str(text))


def _short_sql(sql: str) -> str:
    """The SQL on at most :data:`SQL_LINES` lines, for a glance (the editor gets it whole)."""
    text = " ".join(sql.split())
    limit = 90 * SQL_LINES
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Installed(QObject):
    """What :func:`install` adds to a window: the jobs and the open dialogs."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.jobs = FindingsJobs(window.session, self)
        self.dialogs: dict[str, FindingsDialog] = {}
        tree = window.sources
        tree.findings_requested.connect(lambda name: self.show(name, "findings"))
        tree.quality_requested.connect(lambda name: self.show(name, "quality"))

    def show(self, source: str, tab: str = "findings") -> FindingsDialog | None:
        """Opens (or raises) the dialog of ``source`` on ``tab``."""
        if not self.window.session.is_open:
            return None
        dialog = self.dialogs.get(source)
        if dialog is None:
            dialog = FindingsDialog(self.window.session, self.jobs, source, self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open_sql.connect(lambda sql, title: self.window.open_sql(sql, title))
            dialog.destroyed.connect(lambda: self.dialogs.pop(source, None))
            self.dialogs[source] = dialog
            dialog.load()
        dialog.show_tab(tab)
        dialog.show()
        dialog.raise_()
        return dialog


def install(window: Any) -> _Installed:
    """Adds the findings job and the Findings…/Data quality… dialogs to ``window``."""
    return _Installed(window)
