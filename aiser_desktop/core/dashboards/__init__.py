"""Dashboards: saved charts and grids of tiles, their shared filters, refresh and export.

- :mod:`model`: the records (plain dataclasses; what state.sqlite stores),
- :mod:`store`: reading and writing them in state.sqlite,
- :mod:`layout`: the grid (cells, snapping, no two tiles overlapping),
- :mod:`filters`: the dashboard-wide filters, applied to each tile whose result has the column,
- :mod:`refresh`: running every tile's query (cancellable, off the GUI thread),
- :mod:`html_export`: one self-contained HTML file (the PDF is drawn by the ui layer).
"""
