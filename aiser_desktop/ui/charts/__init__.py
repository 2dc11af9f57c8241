"""Charts drawn with pyqtgraph: in the window's Chart tab, in the agent's answers, and headless
to PNG and SVG for the CLI and dashboard export.

The core (:mod:`aiser_desktop.core.charts`) turns a spec and a query into a small Arrow table
in the shape each kind needs; this package only draws such tables:

- :mod:`.style`: the colours of a chart in the light and the dark theme, and its series palette.
- :mod:`.axes`: Arrow columns to numbers (dates to epoch seconds with Arrow compute), readable
  tick labels (1.2M, dates, categories).
- :mod:`.draw_xy` (line, area, bar, scatter, a second y axis) and :mod:`.draw_other`
  (histogram, box, heatmap, pie/donut, KPI): each kind, drawn onto a :class:`.figure.Figure`.
- :mod:`.figure`: one chart as a pyqtgraph layout; what is under a point (for the crosshair
  and for clicks that filter the grid).
- :mod:`.render`: ``render_to_file`` and ``render_image``, headless (an offscreen
  QApplication is made if none exists).
- :mod:`.canvas`: the interactive chart (zoom, pan, crosshair, legend toggles, clicks, export,
  re-query of the visible range); :mod:`.picker`: the chart type picker with the
  recommendation; :mod:`.mini`: the small chart in an agent answer.
"""
