"""Aiser Desktop: a local-first AI data analyst.

The package is layered (see docs/architecture.md): ``core`` holds everything that runs headless
and imports no Qt; ``ui`` is the PySide6 desktop; ``server`` is the optional shared server;
``cli`` is the ``aiser`` command. Importing this package is cheap on purpose: ``aiser --version``
must not pay for DuckDB, Arrow or Qt.
"""

__version__ = "0.1.0"
