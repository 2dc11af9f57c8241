"""The Memory panel: what the agent remembers, in three tabs a person can edit.

- Preferences: fiscal year start, currency, units, preferred chart, default filter; the value
  is edited in place, or a preference set from the row under the table;
- Glossary: business terms and what they mean (edited in place, added, deleted);
- Past questions: every question asked, when, who answered and the person's verdict; a
  question or its whole conversation can be deleted.

"Forget everything" asks first, then deletes it all and rewrites state.sqlite so the text is
gone from the file. Every read and write runs on the panel's own task thread (one at a time,
in order), never on the GUI thread. Opened from the agent panel's Memory button and the
window's Agent menu with :func:`open_memory_panel`.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.agent.memory import KEYS, Episode, GlossaryEntry, MemoryStore, Preference
from aiser_desktop.ui.workers import TaskRunner

if TYPE_CHECKING:
    from aiser_desktop.core.workspace import Workspace

log = logging.getLogger(__name__)

EPISODES_SHOWN = 500
_VERDICTS = {1: "Helpful", -1: "Wrong", 0: ""}


@dataclass(frozen=True)
class Snapshot:
    """What the panel shows, read on the task thread."""

    preferences: list[Preference]
    glossary: list[GlossaryEntry]
    episodes: list[Episode]


def _read(store: MemoryStore, search: str) -> Snapshot:
    return Snapshot(store.preferences(), store.glossary(), store.episodes(EPISODES_SHOWN, search))


def _value_words(p: Preference) -> str:
    if p.key == "fiscal_year_start" and p.value.isdigit() and 1 <= int(p.value) <= 12:
        return calendar.month_name[int(p.value)]
    return p.value


def _stored_value(key: str, text: str) -> str:
    """A preference as stored: the fiscal year's month as its number ("April" -> "4")."""
    text = text.strip()
    if key == "fiscal_year_start":
        from aiser_desktop.core.agent.memory.learn import MONTHS

        return str(MONTHS.get(text.lower(), text))
    return text


class MemoryPanel(QDialog):
    """The agent's memory over one workspace (see the module's docstring).

    Args:
        workspace: The open workspace.
        parent: The window.
    """

    changed = Signal()  # after any edit or deletion (done on the task thread)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memoryPanel")
        self.setWindowTitle("Agent memory")
        self.resize(760, 520)
        self._store = MemoryStore(workspace.state)
        self._tasks = TaskRunner(self, max_threads=1)
        self._filling = False
        self._episodes: list[Episode] = []
        self.confirm: Callable[[str, str], bool] = self._ask_person
        self.choose_file: Callable[[], str] = self._choose_export_file
        self._build()
        self.refresh()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            "What the agent remembers in this workspace. It learns preferences and terms from "
            "what you say (\u201cour fiscal year starts in April\u201d, \u201crevenue means "
            "sum(price*qty)\u201d); edit or delete anything here."
        )
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        layout.addWidget(intro)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._preferences_tab(), "Preferences")
        self.tabs.addTab(self._glossary_tab(), "Glossary")
        self.tabs.addTab(self._episodes_tab(), "Past questions")
        layout.addWidget(self.tabs, 1)
        self.status = QLabel()
        self.status.setObjectName("muted")
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save all memory as a JSON file")
        self.export_button.clicked.connect(self._export)
        self.forget_button = QPushButton("Forget everything…")
        self.forget_button.setToolTip("Delete every preference, term and past question")
        self.forget_button.clicked.connect(self.forget_everything)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.forget_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().hide()
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return table

    def _preferences_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.preferences = self._table(["Preference", "Value", "Learned from"])
        self.preferences.setColumnWidth(0, 150)
        self.preferences.setColumnWidth(1, 160)
        self.preferences.itemChanged.connect(self._preference_edited)
        layout.addWidget(self.preferences, 1)
        row = QHBoxLayout()
        self.pref_key = QComboBox()
        for key, label in KEYS.items():
            self.pref_key.addItem(label, key)
        self.pref_value = QLineEdit()
        self.pref_value.setPlaceholderText("Value, e.g. April, EUR, metric, bar")
        self.pref_set = QPushButton("Set")
        self.pref_set.clicked.connect(self._set_preference)
        self.pref_delete = QPushButton("Delete")
        self.pref_delete.clicked.connect(self._delete_preference)
        row.addWidget(self.pref_key)
        row.addWidget(self.pref_value, 1)
        row.addWidget(self.pref_set)
        row.addWidget(self.pref_delete)
        layout.addLayout(row)
        return page

    def _glossary_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.glossary = self._table(["Term", "Means"])
        self.glossary.setColumnWidth(0, 180)
        self.glossary.itemChanged.connect(self._term_edited)
        layout.addWidget(self.glossary, 1)
        row = QHBoxLayout()
        self.term_input = QLineEdit()
        self.term_input.setPlaceholderText("Term, e.g. revenue")
        self.definition_input = QLineEdit()
        self.definition_input.setPlaceholderText("Means, e.g. sum(price * qty)")
        self.term_add = QPushButton("Add")
        self.term_add.clicked.connect(self._add_term)
        self.term_delete = QPushButton("Delete")
        self.term_delete.clicked.connect(self._delete_term)
        row.addWidget(self.term_input)
        row.addWidget(self.definition_input, 2)
        row.addWidget(self.term_add)
        row.addWidget(self.term_delete)
        layout.addLayout(row)
        return page

    def _episodes_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search past questions")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.refresh)
        layout.addWidget(self.search)
        self.episodes = self._table(["Asked", "Question", "Verdict", "Rows", "By"])
        self.episodes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.episodes.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the question
        self.episodes.setColumnWidth(0, 130)
        self.episodes.setColumnWidth(2, 70)
        self.episodes.setColumnWidth(3, 70)
        self.episodes.setColumnWidth(4, 110)
        layout.addWidget(self.episodes, 1)
        row = QHBoxLayout()
        self.episode_delete = QPushButton("Delete question")
        self.episode_delete.clicked.connect(self._delete_episode)
        self.conversation_delete = QPushButton("Delete conversation")
        self.conversation_delete.setToolTip("Delete every question of the selected one's chat")
        self.conversation_delete.clicked.connect(self._delete_conversation)
        row.addStretch(1)
        row.addWidget(self.episode_delete)
        row.addWidget(self.conversation_delete)
        layout.addLayout(row)
        return page

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        """Reads memory again (on the task thread) and fills the tabs."""
        self._run("read memory", _read, self._store, self.search.text(), on_done=self._fill)

    def wait(self, msecs: int = 5000) -> bool:
        """Waits for the panel's work to finish (tests; closing)."""
        return self._tasks.wait(msecs)

    @property
    def busy(self) -> bool:
        return self._tasks.busy

    def _fill(self, snap: Snapshot) -> None:
        self._filling = True
        try:
            self._fill_preferences(snap.preferences)
            self._fill_glossary(snap.glossary)
            self._fill_episodes(snap.episodes)
        finally:
            self._filling = False
        self.status.setText(
            f"{len(snap.preferences)} preferences, {len(snap.glossary)} terms, "
            f"{len(snap.episodes)} past questions"
        )

    def _fill_preferences(self, prefs: list[Preference]) -> None:
        table = self.preferences
        table.setRowCount(len(prefs))
        for row, p in enumerate(prefs):
            name = _item(KEYS.get(p.key, p.key), editable=False)
            name.setData(Qt.ItemDataRole.UserRole, p.key)
            table.setItem(row, 0, name)
            table.setItem(row, 1, _item(_value_words(p)))
            said = p.said or ("set in this panel" if p.origin == "edited" else "")
            if p.origin == "correction":
                said = f"{said} (a correction)"
            table.setItem(row, 2, _item(said, editable=False))

    def _fill_glossary(self, terms: list[GlossaryEntry]) -> None:
        table = self.glossary
        table.setRowCount(len(terms))
        for row, g in enumerate(terms):
            term = _item(g.term)
            term.setData(Qt.ItemDataRole.UserRole, g.id)
            table.setItem(row, 0, term)
            table.setItem(row, 1, _item(g.definition))

    def _fill_episodes(self, episodes: list[Episode]) -> None:
        self._episodes = episodes
        table = self.episodes
        table.setRowCount(len(episodes))
        for row, e in enumerate(episodes):
            table.setItem(row, 0, _item(e.asked_at.astimezone().strftime("%Y-%m-%d %H:%M")))
            question = _item(e.question)
            question.setToolTip(f"{e.answer}\n\n{e.sql or '(no SQL)'}")
            table.setItem(row, 1, question)
            table.setItem(row, 2, _item(_VERDICTS.get(e.feedback, "")))
            rows = _item(f"{e.row_count:,}" if e.sql else "")
            rows.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, 3, rows)
            table.setItem(row, 4, _item(e.provider))

    # ------------------------------------------------------------------ editing
    def _preference_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 1:
            return
        key_item = self.preferences.item(item.row(), 0)
        if key_item is None:
            return
        key = key_item.data(Qt.ItemDataRole.UserRole)
        value = _stored_value(key, item.text())
        if value:
            self._change("set a preference", self._store.set_preference, key, value, "edited")

    def _set_preference(self) -> None:
        key = self.pref_key.currentData()
        value = _stored_value(key, self.pref_value.text())
        if not value:
            return
        self.pref_value.clear()
        self._change("set a preference", self._store.set_preference, key, value, "edited")

    def _delete_preference(self) -> None:
        row = self.preferences.currentRow()
        if row < 0:
            return
        key_item = self.preferences.item(row, 0)
        if key_item is None:
            return
        key = key_item.data(Qt.ItemDataRole.UserRole)
        self._change("delete a preference", self._store.delete_preference, key)

    def _term_edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        row = item.row()
        term_item = self.glossary.item(row, 0)
        means = self.glossary.item(row, 1)
        if term_item is None or means is None:
            return
        term_id = int(term_item.data(Qt.ItemDataRole.UserRole))
        self._change(
            "edit a term", _replace_term, self._store, term_id, term_item.text(), means.text()
        )

    def _add_term(self) -> None:
        term, means = self.term_input.text().strip(), self.definition_input.text().strip()
        if not term or not means:
            self.status.setText("A term needs both the words and what they mean.")
            return
        self.term_input.clear()
        self.definition_input.clear()
        self._change("add a term", self._store.set_term, term, means)

    def _delete_term(self) -> None:
        row = self.glossary.currentRow()
        if row < 0:
            return
        term_item = self.glossary.item(row, 0)
        if term_item is None:
            return
        term_id = int(term_item.data(Qt.ItemDataRole.UserRole))
        self._change("delete a term", self._store.delete_term, term_id)

    def _selected_episode(self) -> Episode | None:
        row = self.episodes.currentRow()
        return self._episodes[row] if 0 <= row < len(self._episodes) else None

    def _delete_episode(self) -> None:
        episode = self._selected_episode()
        if episode is not None:
            self._change("delete a question", self._store.delete_episode, episode.id)

    def _delete_conversation(self) -> None:
        episode = self._selected_episode()
        if episode is not None:
            self._change(
                "delete a conversation", self._store.delete_conversation, episode.conversation
            )

    def forget_everything(self) -> None:
        """Deletes all memory, after the person confirms."""
        if self.confirm(
            "Forget everything?",
            "Delete every preference, glossary term and past question of this workspace? "
            "They are removed from the file for good.",
        ):
            self._change("forget everything", self._store.forget_everything)

    def _export(self) -> None:
        from aiser_desktop.core.agent.memory.store import write_export

        path = self.choose_file()
        if not path:
            return

        def done(count: int) -> None:
            self.status.setText(f"Exported {count} items to {path}.")

        self._run("export memory", write_export, self._store, Path(path), on_done=done)

    # ------------------------------------------------------------------ plumbing
    def _change(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        def done(_result: object) -> None:
            self.changed.emit()
            self.refresh()

        self._run(name, fn, *args, on_done=done)

    def _run(
        self, name: str, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None]
    ) -> None:
        self._tasks.start(name, fn, *args, on_done=on_done, on_error=self._failed)

    def _failed(self, exc: object) -> None:
        self.status.setText(f"Could not do that: {exc}")
        self.refresh()

    def _ask_person(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        forget = box.addButton("Forget everything", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is forget

    def _choose_export_file(self) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export memory", "aiser-memory.json", "JSON (*.json)"
        )
        return path

    def done(self, result: int) -> None:
        self.wait(5000)
        super().done(result)


def _replace_term(store: MemoryStore, term_id: int, term: str, means: str) -> None:
    """A term edited in place (renamed or redefined)."""
    store.delete_term(term_id)
    store.set_term(term, means)


def _item(text: str, *, editable: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if not editable:
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


def open_memory_panel(workspace: Workspace | None, parent: QWidget | None = None) -> None:
    """Shows the Memory panel for ``workspace`` (a message when none is open)."""
    if workspace is None:
        QMessageBox.information(parent, "Agent memory", "Open a workspace to see its memory.")
        return
    panel = MemoryPanel(workspace, parent)
    panel.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    panel.show()
