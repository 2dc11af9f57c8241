"""Findings in the window: made in the background after an add, offered in the sources
tree's menu, shown in their dialog with "Open SQL in editor"."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from aiser_desktop.ui.main_window import MainWindow

JOB_TIMEOUT_MS = 60_000


def write_people(path: Path) -> None:
    rows = ["person_id,name,age"] + [f"{i},p{i},{20 + i % 50}" for i in range(60)]
    rows += ["7,again,30", "61,young,-3"]
    path.write_text("\n".join(rows) + "\n")


def test_adding_a_source_makes_its_findings_in_the_background(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    write_people(path)
    jobs = window.insights.jobs
    with qtbot.waitSignal(jobs.finished, timeout=JOB_TIMEOUT_MS) as done:
        window.import_files([path])
        assert window.isEnabled()  # the add and the job run on workers
    source, report = done.args
    assert source == "people"
    headlines = [f.headline for f in report.findings]
    assert any("repeat a person_id" in h for h in headlines)
    assert any("are negative" in h for h in headlines)
    qtbot.waitUntil(lambda: "worth a look" in window.messages.toPlainText(), timeout=5000)


def test_the_source_menu_opens_findings_and_quality(qtbot: QtBot, window: MainWindow) -> None:
    item = window.sources.find_source("sales")
    assert item is not None
    menu = window.sources.context_menu(item)
    assert menu is not None
    labels = [a.text() for a in menu.actions()]
    assert "Findings…" in labels and "Data quality…" in labels
    menu.deleteLater()

    jobs = window.insights.jobs
    with qtbot.waitSignal(jobs.finished, timeout=JOB_TIMEOUT_MS):
        jobs.run("sales")
    dialog = window.insights.show("sales", "quality")
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.reports.get("findings") is not None, timeout=5000)
    assert dialog.tabs.currentIndex() == 1
    assert dialog.quality.topLevelItemCount() == 1
    assert "screened all 3 rows" in dialog.quality.topLevelItem(0).text(0)
    dialog.show_tab("findings")
    texts = " ".join(label.text() for label in dialog.findings_page.findChildren(QLabel))
    assert "finding" in dialog.summary.text() and "sales" in dialog.summary.text()
    buttons = dialog.findings_page.findChildren(QPushButton, "openFindingSql")
    if buttons:  # a three-row table may have nothing worth a look; then it says so
        tabs = window.editor_tabs.count()
        buttons[0].click()
        assert window.editor_tabs.count() == tabs + 1
        first = dialog.reports["findings"].report["findings"][0]
        assert window.editor.toPlainText() == first["sql"]
    else:
        assert "Nothing stood out" in texts
    dialog.close()
