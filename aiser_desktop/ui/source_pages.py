"""The pages of the Add source dialog: one per kind of source (files, a folder, a database, a
lake table, a web address), each with its fields and the requests they make.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.errors import AiserError
from aiser_desktop.ui.background import SourceRequest

KINDS = ("files", "folder", "database", "lake", "web")
DATABASES = {  # label -> (URL scheme, default port)
    "PostgreSQL": ("postgresql", 5432),
    "MySQL / MariaDB": ("mysql", 3306),
}
SQLITE = "SQLite file"
LAKE_FORMATS = {"Detect Delta or Iceberg": None, "Delta": "delta", "Iceberg": "iceberg"}
OTHER_URL = "Another database (URL)"


class InputError(AiserError):
    """What was typed cannot make a source yet (a field is empty)."""


def muted_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label


LABEL_WIDTH = 72  # every form's fields start at the same place


def field_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setFixedWidth(LABEL_WIDTH)
    return label


def _path_row(edit: QLineEdit, browse: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(6)
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return row


class SourcePage(QWidget):
    """One kind of source: its fields, and the requests they make."""

    title = ""
    blurb = ""
    mode_help = ""
    name_hint = "from the location"
    network = False  # show the network switch
    can_link = True

    def requests(self, name: str, mode: str | None, network: bool) -> list[SourceRequest]:
        raise NotImplementedError

    def several(self) -> bool:
        """More than one source will be added (then each is named after its file)."""
        return False

    def first_field(self) -> QWidget:
        """Where typing starts when the page is shown."""
        raise NotImplementedError


FILE_MODE_HELP = (
    "Automatic: files under 100 MB are imported (copied into the workspace, so they stay "
    "usable when the file moves); larger ones are linked (read in place, nothing copied)."
)


class FilesPage(SourcePage):
    title = "Files"
    blurb = (
        "CSV or TSV, Parquet, JSON, Excel, Arrow or Avro, also compressed (.gz, .zst). One path "
        "per line; a pattern such as sales/*.parquet reads the files that match as one table."
    )
    mode_help = FILE_MODE_HELP
    name_hint = "from the file name"

    def __init__(self) -> None:
        super().__init__()
        self.paths = QPlainTextEdit()
        self.paths.setPlaceholderText("/home/ann/sales.csv\n~/exports/orders-*.parquet")
        self.paths.setTabChangesFocus(True)
        self.paths.setFixedHeight(86)
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)
        side = QVBoxLayout()
        side.addWidget(self.browse)
        side.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.paths, 1)
        row.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addStretch(1)

    def first_field(self) -> QWidget:
        return self.paths

    def lines(self) -> list[str]:
        return [line.strip() for line in self.paths.toPlainText().splitlines() if line.strip()]

    def several(self) -> bool:
        return len(self.lines()) > 1

    def keep_only(self, locations: list[str]) -> None:
        """Leaves only these lines (the ones not added yet)."""
        self.paths.setPlainText("\n".join(locations))

    def _browse(self) -> None:
        from aiser_desktop.ui.main_window import FILE_FILTER

        names, _ = QFileDialog.getOpenFileNames(self, "Choose files", "", FILE_FILTER)
        if names:
            self.paths.setPlainText("\n".join([*self.lines(), *names]))

    def requests(self, name: str, mode: str | None, network: bool) -> list[SourceRequest]:
        lines = self.lines()
        if not lines:
            raise InputError("Choose a file first.", hint="Type its path, or click Browse….")
        named = name if len(lines) == 1 else None
        return [SourceRequest(p, name=named, mode=mode, network=network) for p in lines]


class FolderPage(SourcePage):
    title = "Folder"
    blurb = (
        "Every file in the folder is read as one table, so they should share a format and "
        "columns (a month of daily exports, say). Hidden files are left out."
    )
    mode_help = FILE_MODE_HELP
    name_hint = "from the folder name"

    def __init__(self) -> None:
        super().__init__()
        self.path = QLineEdit()
        self.path.setPlaceholderText("/home/ann/exports/2024")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(_path_row(self.path, browse))
        layout.addStretch(1)

    def first_field(self) -> QWidget:
        return self.path

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder")
        if folder:
            self.path.setText(folder)

    def requests(self, name: str, mode: str | None, network: bool) -> list[SourceRequest]:
        path = self.path.text().strip()
        if not path:
            raise InputError("Choose a folder first.", hint="Type its path, or click Browse….")
        return [SourceRequest(path, name=name or None, mode=mode, network=network)]


class DatabasePage(SourcePage):
    title = "Database"
    blurb = (
        "PostgreSQL, MySQL or MariaDB, a SQLite file, or any database with a SQLAlchemy URL "
        "(dialect+driver://...). The password is kept in the system keyring, never in the "
        "workspace."
    )
    mode_help = (
        "Automatic: linked, queried live (filters run in the database). Imported takes a "
        "snapshot for offline use; refresh it later from the sources list."
    )
    name_hint = "from the database's name"
    network = True

    def __init__(self) -> None:
        super().__init__()
        self.kind = QComboBox()
        self.kind.addItems([*DATABASES, SQLITE, OTHER_URL])
        self.host = QLineEdit()
        self.host.setPlaceholderText("localhost")
        self.port = QLineEdit()
        self.database = QLineEdit()
        self.database.setPlaceholderText("sales")
        self.schema = QLineEdit()
        self.schema.setPlaceholderText("public")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the system keyring")
        self.sqlite_path = QLineEdit()
        self.sqlite_path.setPlaceholderText("/home/ann/app.db")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.url = QLineEdit()
        self.url.setPlaceholderText("mssql+pyodbc://ann@server/sales?driver=...")

        self.sqlite_row = _path_row(self.sqlite_path, browse)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(field_label("Kind"), self.kind)
        self.form.addRow(field_label("Host"), self.host)
        self.form.addRow(field_label("Port"), self.port)
        self.form.addRow(field_label("Database"), self.database)
        self.form.addRow(field_label("Schema"), self.schema)
        self.form.addRow(field_label("User"), self.user)
        self.form.addRow(field_label("File"), self.sqlite_row)
        self.form.addRow(field_label("URL"), self.url)
        self.form.addRow(field_label("Password"), self.password)
        self.kind.currentTextChanged.connect(self._kind_changed)
        self._kind_changed(self.kind.currentText())

    def _kind_changed(self, kind: str) -> None:
        server = kind in DATABASES
        if server:
            scheme, port = DATABASES[kind]
            self.port.setPlaceholderText(str(port))
            self.user.setPlaceholderText("postgres" if scheme == "postgresql" else "root")
        for widget in (self.host, self.port, self.database, self.user):
            self.form.setRowVisible(widget, server)
        # MySQL has no schemas inside a database (its databases are them).
        self.form.setRowVisible(self.schema, server and DATABASES[kind][0] == "postgresql")
        self.form.setRowVisible(self.sqlite_row, kind == SQLITE)
        self.form.setRowVisible(self.url, kind == OTHER_URL)
        self.form.setRowVisible(self.password, kind != SQLITE)

    def first_field(self) -> QWidget:
        kind = self.kind.currentText()
        return self.host if kind in DATABASES else self.sqlite_path if kind == SQLITE else self.url

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose a SQLite file", "", "SQLite (*.db *.sqlite *.sqlite3);;All files (*)"
        )
        if name:
            self.sqlite_path.setText(name)

    def location(self) -> str:
        """The URL the fields make (never with the password in it)."""
        kind = self.kind.currentText()
        if kind == SQLITE:
            path = self.sqlite_path.text().strip()
            if not path:
                raise InputError("Choose the SQLite file.", hint="Type its path, or Browse….")
            return str(Path(path).expanduser())
        if kind == OTHER_URL:
            url = self.url.text().strip()
            if "://" not in url:
                raise InputError(
                    "Enter the database's URL.",
                    hint="For example mssql+pyodbc://user@server/database, or "
                    "snowflake://user@account/database.",
                )
            return url
        scheme, _port = DATABASES[kind]
        database = self.database.text().strip()
        if not database:
            raise InputError("Enter the database's name.", hint="For example sales or postgres.")
        port = self.port.text().strip()
        if port and not port.isdigit():
            raise InputError(
                f"The port {port!r} is not a number.", hint="Leave it empty for the usual one."
            )
        host = self.host.text().strip() or "localhost"
        user = self.user.text().strip()
        netloc = (quote(user, safe="") + "@" if user else "") + host + (f":{port}" if port else "")
        return f"{scheme}://{netloc}/{quote(database, safe='')}"

    def requests(self, name: str, mode: str | None, network: bool) -> list[SourceRequest]:
        kind = self.kind.currentText()
        sqlite = kind == SQLITE
        secret = "" if sqlite else self.password.text()
        schema = self.schema.text().strip() if self.form.isRowVisible(self.schema) else ""
        return [
            SourceRequest(
                self.location(),
                name=name or None,
                connector="sqlite" if sqlite else None,
                options={"schema": schema} if schema else {},
                mode=mode,
                secret=secret or None,
                network=network,
            )
        ]


class LakePage(SourcePage):
    title = "Lake table"
    blurb = "A Delta or Iceberg table: the folder that holds its data and its log or metadata."
    mode_help = (
        "Automatic: linked, read in place at its latest version. Imported copies that version "
        "into the workspace."
    )
    name_hint = "from the folder name"
    network = True

    def __init__(self) -> None:
        super().__init__()
        self.path = QLineEdit()
        self.path.setPlaceholderText("/data/lake/orders")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.format = QComboBox()
        self.format.addItems(list(LAKE_FORMATS))
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(field_label("Folder"), _path_row(self.path, browse))
        layout.addRow(field_label("Format"), self.format)

    def first_field(self) -> QWidget:
        return self.path

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose the table's folder")
        if folder:
            self.path.setText(folder)

    def requests(self, name: str, mode: str | None, network: bool) -> list[SourceRequest]:
        path = self.path.text().strip()
        if not path:
            raise InputError("Choose the table's folder.", hint="Type its path, or Browse….")
        connector = LAKE_FORMATS[self.format.currentText()]
        return [SourceRequest(path, name or None, connector, mode=mode, network=network)]


class WebPage(SourcePage):
    title = "Web address"
    blurb = (
        "A CSV, JSON or Parquet file on the web (https://...) or in a bucket (s3://..., "
        "gs://...). Aiser goes online for it only when you allow the network below."
    )
    mode_help = (
        "A web source is always imported: fetched once and kept in the workspace, so the last "
        "copy stays usable offline. Refresh it from the sources list to fetch it again."
    )
    name_hint = "from the address"
    network = True
    can_link = False

    def __init__(self) -> None:
        super().__init__()
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://example.org/data/sales.csv")
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(field_label("URL"), self.url)

    def first_field(self) -> QWidget:
        return self.url

    def requests(self, name: str, mode: str | None, network: bool) -> list[SourceRequest]:
        url = self.url.text().strip()
        if "://" not in url:
            raise InputError(
                "Enter a web address, such as https://example.org/sales.csv.",
                hint="For a file on this computer, use Files.",
            )
        return [SourceRequest(url, name or None, mode=mode, network=network)]
