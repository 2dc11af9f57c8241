"""The window's actions and menus (File, Edit, View, Query, Help), with standard shortcuts.

Actions whose keys a focused widget already handles itself (copy and paste in a text box or
the grid; find, format and comment in the editor) show their keys in the menu without taking
them: a window shortcut would steal the key from the widget. Those menu items act on the
widget that has the focus, or on the current editor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from aiser_desktop.ui import theme

if TYPE_CHECKING:
    from aiser_desktop.ui.main_window import MainWindow

Key = QKeySequence | QKeySequence.StandardKey | str


def export_choices() -> list[tuple[str, str, str]]:
    """(label, format, suffix) of each export format the grid offers."""
    from aiser_desktop.core.engine.export import CHOICES

    return list(CHOICES)


def _action(window: MainWindow, text: str, slot: Callable[[], Any], *keys: Key) -> QAction:
    action = QAction(text, window)
    action.triggered.connect(lambda _checked=False: slot())
    if keys:
        action.setShortcuts([QKeySequence(k) for k in keys])
    window.addAction(action)
    return action


def _shown_keys(window: MainWindow, text: str, keys: str, slot: Callable[[], Any]) -> QAction:
    """A menu item that shows ``keys`` but leaves the keys to the focused widget."""
    shown = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
    action = QAction(f"{text}\t{shown}", window)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def _on_focus(method: str) -> Callable[[], None]:
    """Calls ``method`` on the focused widget, when it has one (undo, copy, paste...)."""

    def call() -> None:
        widget = QApplication.focusWidget()
        fn = getattr(widget, method, None)
        if callable(fn):
            fn()

    return call


class WindowActions:
    """Every action of the window, as attributes; made by :func:`build`."""

    def __init__(self, w: MainWindow) -> None:
        self.new_tab = _action(w, "&New tab", w.new_tab, "Ctrl+T")
        self.close_tab = _action(w, "&Close tab", w.close_tab, "Ctrl+W")
        self.save_query = _action(w, "&Save query", w.save_query, QKeySequence.StandardKey.Save)
        self.save_query_as = _action(w, "Save query &as…", w.save_query_as, "Ctrl+Shift+S")
        self.add_source = _action(w, "&Add source…", w.show_add_source, "Ctrl+Shift+O")
        self.import_file = _action(
            w, "&Import file…", w.choose_files, QKeySequence.StandardKey.Open
        )
        self.sample = _action(w, "Load &sample data", w.load_sample)
        self.export_menu = QMenu("&Export results", w)
        self.exports: dict[str, QAction] = {}  # filled by add_exports()
        self.quit = _action(w, "&Quit", w.close, "Ctrl+Q")
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)

        self.undo = _shown_keys(w, "&Undo", "Ctrl+Z", _on_focus("undo"))
        self.redo = _shown_keys(w, "&Redo", "Ctrl+Shift+Z", _on_focus("redo"))
        self.cut = _shown_keys(w, "Cu&t", "Ctrl+X", _on_focus("cut"))
        self.copy = _shown_keys(w, "&Copy", "Ctrl+C", _on_focus("copy"))
        self.paste = _shown_keys(w, "&Paste", "Ctrl+V", _on_focus("paste"))
        self.select_all = _shown_keys(w, "Select &all", "Ctrl+A", _on_focus("selectAll"))
        self.find = _shown_keys(w, "&Find…", "Ctrl+F", lambda: w.editor.show_find(False))
        self.replace = _shown_keys(w, "R&eplace…", "Ctrl+H", lambda: w.editor.show_find(True))
        self.format = _shown_keys(w, "F&ormat SQL", "Ctrl+Shift+F", lambda: w.editor.format_sql())
        self.comment = _shown_keys(
            w, "Toggle co&mment", "Ctrl+/", lambda: w.editor.toggle_comment()
        )
        self.complete = _shown_keys(w, "Comp&lete", "Ctrl+Space", lambda: w.editor.complete())

        self.show_sources = _action(w, "&Sources", lambda: w.show_left("sources"), "Ctrl+1")
        self.show_history = _action(w, "&History", lambda: w.show_left("history"), "Ctrl+2")
        self.show_saved = _action(w, "Sa&ved queries", lambda: w.show_left("saved"), "Ctrl+3")
        self.show_metrics = _action(w, "&Metrics", lambda: w.show_left("metrics"), "Ctrl+5")
        self.agent = w.agent_dock.toggleViewAction()
        self.agent.setText("&Agent panel")
        self.agent.setShortcut(QKeySequence("Ctrl+Shift+A"))
        w.addAction(self.agent)
        # The agent panel opens the Memory panel (ui/memory_panel.py) for its workspace.
        self.memory = _action(
            w, "Agent &memory…", lambda: w.agent.open_memory() if w.agent is not None else None
        )
        # The agent panel's MCP servers dialog (ui/mcp_settings.py): more tools for the agent.
        self.mcp_servers = _action(
            w, "Agent &tools (MCP servers)…",
            lambda: w.agent.mcp.open_settings() if w.agent is not None else None,
        )  # fmt: skip
        self.refresh = _action(w, "&Refresh sources", w.refresh_sources, "F5")
        self.themes = QActionGroup(w)
        self.theme_actions: dict[str, QAction] = {}
        for mode, label in (("system", "&System"), ("light", "&Light"), ("dark", "&Dark")):
            action = QAction(label, w, checkable=True)
            action.setData(mode)
            action.triggered.connect(lambda _c=False, m=mode: w.set_theme(m))
            self.themes.addAction(action)
            self.theme_actions[mode] = action

        # The editor takes these keys itself while it has the focus; the window's
        # shortcuts serve the rest of the window (the grid, the tree).
        self.run = _action(w, "&Run statement", w.run_query, "Ctrl+Return", "Ctrl+Enter")
        self.run_all = _action(
            w, "Run &all statements", w.run_all, "Ctrl+Shift+Return", "Ctrl+Shift+Enter"
        )
        self.explain = _action(w, "E&xplain", lambda: w.explain(analyze=False), "Ctrl+Shift+E")
        self.explain_analyze = _action(
            w, "Explain a&nalyze", lambda: w.explain(analyze=True), "Ctrl+Alt+E"
        )
        self.cancel = _action(w, "&Cancel", w.cancel_query, "Esc")
        self.chart = _action(w, "C&hart result", w.chart_result, "Ctrl+Shift+G")

        self.about = _action(w, "&About Aiser Desktop", w.show_about)
        self.about.setMenuRole(QAction.MenuRole.AboutRole)

    def add_exports(self, w: MainWindow) -> None:
        """Fills File > Export results (once the grid, which knows the formats, is loaded)."""
        mnemonics = {"csv": "&CSV", "parquet": "&Parquet", "xlsx": "E&xcel", "json": "&JSON"}
        for label, fmt, _suffix in export_choices():
            if fmt not in self.exports:
                action = QAction(f"{mnemonics.get(fmt, label)}…", w)
                action.triggered.connect(lambda _c=False, f=fmt: w.export_results(f))
                self.export_menu.addAction(action)
                self.exports[fmt] = action

    def check_theme(self, mode: str) -> None:
        action = self.theme_actions.get(mode, self.theme_actions["system"])
        action.setChecked(True)


def build(window: MainWindow) -> WindowActions:
    """Makes the window's actions and its menu bar."""
    a = WindowActions(window)
    bar = window.menuBar()

    menu = bar.addMenu("&File")
    menu.addActions([a.new_tab, a.save_query, a.save_query_as, a.close_tab])
    menu.addSeparator()
    menu.addActions([a.add_source, a.import_file, a.sample])
    menu.addSeparator()
    menu.addMenu(a.export_menu)
    menu.addSeparator()
    menu.addAction(a.quit)

    menu = bar.addMenu("&Edit")
    menu.addActions([a.undo, a.redo])
    menu.addSeparator()
    menu.addActions([a.cut, a.copy, a.paste, a.select_all])
    menu.addSeparator()
    menu.addActions([a.find, a.replace])
    menu.addSeparator()
    menu.addActions([a.format, a.comment, a.complete])

    menu = bar.addMenu("&View")
    menu.addActions([a.show_sources, a.show_history, a.show_saved, a.show_metrics])
    menu.addSeparator()
    menu.addAction(a.agent)
    menu.addAction(a.memory)
    menu.addAction(a.mcp_servers)
    themes = menu.addMenu("&Theme")
    themes.addActions(list(a.theme_actions.values()))
    menu.addSeparator()
    menu.addAction(a.refresh)

    menu = bar.addMenu("&Query")
    menu.addActions([a.run, a.run_all])
    menu.addSeparator()
    menu.addActions([a.explain, a.explain_analyze])
    menu.addAction(a.chart)
    menu.addSeparator()
    menu.addAction(a.cancel)

    menu = bar.addMenu("&Help")
    menu.addAction(a.about)
    a.check_theme(theme.mode())
    return a
