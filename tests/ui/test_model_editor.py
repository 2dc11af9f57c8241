"""The model editor: a model file in a tab beside the SQL tabs, checked as the person types,
with each problem underlined at its line, marked in the gutter and listed; saving writes the
file, reports its problems in the messages pane and reloads the Metrics tab."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from aiser_desktop.ui.main_window import MainWindow
from aiser_desktop.ui.model_editor import ModelEditor, YamlHighlighter
from aiser_desktop.ui.sql_editor import SqlEditor
from tests.ui.test_metrics_panel import SALES_CUBE


@pytest.fixture
def modelled(csv_workspace: Path) -> Path:
    folder = csv_workspace / "model" / "cubes"
    folder.mkdir(parents=True)
    (folder / "sales.yml").write_text(SALES_CUBE, encoding="utf-8")
    return csv_workspace


def open_editor(qtbot: QtBot, window: MainWindow, path: Path) -> ModelEditor:
    panel = window.sources_panel.metrics
    qtbot.waitUntil(lambda: panel.model is not None, timeout=10_000)
    panel.edit_file(path)
    tabs = window.editor_tabs
    assert tabs is not None
    qtbot.waitUntil(lambda: isinstance(tabs.currentWidget(), ModelEditor), timeout=5_000)
    editor = tabs.currentWidget()
    assert isinstance(editor, ModelEditor)
    qtbot.waitUntil(lambda: editor.checked, timeout=5_000)
    return editor


def retype(qtbot: QtBot, editor: ModelEditor, text: str) -> None:
    """Replaces the whole text as typing would (one undo step), then waits for the check."""
    cursor = editor.text.textCursor()
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.insertText(text)
    assert not editor.checked
    qtbot.waitUntil(lambda: editor.checked, timeout=5_000)


def test_an_invalid_file_shows_the_error_at_its_line(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    window = make_window(modelled)
    path = modelled / "model" / "cubes" / "sales.yml"
    editor = open_editor(qtbot, window, path)
    assert editor.problems == [] and editor.status.text() == "No problems"
    assert window.editor_tabs.tabText(window.editor_tabs.currentIndex()) == "sales.yml"

    broken = SALES_CUBE.replace("type: sum", "type: total")  # line 11
    assert broken.splitlines()[10].strip() == "type: total"
    retype(qtbot, editor, broken)
    assert [p.line for p in editor.problems] == [11]
    assert "total" in editor.problems[0].message
    assert editor.text.problem_lines() == {11}
    assert editor.text.problems_text(11).startswith("Line 11, column")  # the gutter's tooltip
    assert editor.text.problems_text(10) == ""
    underlined = editor.text.extraSelections()
    assert len(underlined) == 1
    assert underlined[0].cursor.block().blockNumber() == 10
    assert underlined[0].cursor.selectedText() == "total"  # the value the error points at
    assert editor.list.count() == 1 and editor.list.item(0).text().startswith("Line 11")
    assert editor.status.text() == "1 problem"

    editor.list.itemClicked.emit(editor.list.item(0))
    assert editor.text.textCursor().blockNumber() == 10

    retype(qtbot, editor, broken.replace("type: total", "type: sum"))
    assert editor.problems == [] and editor.text.extraSelections() == []


def test_a_broken_yaml_file_points_at_the_line(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    window = make_window(modelled)
    editor = open_editor(qtbot, window, modelled / "model" / "cubes" / "sales.yml")
    retype(qtbot, editor, SALES_CUBE.replace("      - name: region", "      - name: [region"))
    assert editor.problems and editor.problems[0].line >= 14


def test_saving_writes_the_file_reports_problems_and_reloads_the_metrics(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    window = make_window(modelled)
    path = modelled / "model" / "cubes" / "sales.yml"
    editor = open_editor(qtbot, window, path)
    panel = window.sources_panel.metrics
    text = SALES_CUBE.replace("title: Revenue", "title: Turnover")
    retype(qtbot, editor, text + "      - name: bad\n        type: nothing\n")
    assert editor.modified
    with qtbot.waitSignal(panel.model_changed, timeout=10_000):
        qtbot.keyClick(editor.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert path.read_text(encoding="utf-8").startswith(text)
    assert not editor.modified
    assert "saved with 1 problem" in window.messages.toPlainText()
    assert panel.tree.item_for("sales.revenue").text(0) == "Turnover"


def test_a_new_cube_opens_as_an_unsaved_tab_and_sql_tabs_still_run(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    window = make_window(modelled)
    panel = window.sources_panel.metrics
    qtbot.waitUntil(lambda: panel.model is not None, timeout=10_000)
    path = panel.new_cube("sales")
    assert path is not None and path.name == "sales_2.yml" and not path.exists()
    tabs = window.editor_tabs
    editor = tabs.currentWidget()
    assert isinstance(editor, ModelEditor) and editor.modified
    assert "name: sales_2" in editor.text.toPlainText()
    assert isinstance(window.editor, SqlEditor)  # the SQL actions still have their editor

    tabs.close_tab(tabs.currentIndex())  # unsaved: asks first, without blocking
    assert editor.close_box is not None and editor.close_box.isVisible()
    editor.close_box.reject()
    assert tabs.indexOf(editor) >= 0
    assert tabs.close_tab(tabs.indexOf(editor), force=True)
    qtbot.waitUntil(lambda: tabs.indexOf(editor) < 0)
    assert not path.exists()


def test_yaml_is_coloured(qapp: object) -> None:
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument('  - name: count  # the rows\n    sql: "{CUBE}.id"\n')
    highlighter = YamlHighlighter(doc)
    highlighter.rehighlight()
    first = doc.firstBlock().layout().formats()
    starts = {f.start for f in first}
    assert 4 in starts  # the key "name"
    assert any(f.format.fontItalic() for f in first)  # the comment
