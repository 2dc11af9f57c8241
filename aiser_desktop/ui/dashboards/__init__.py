"""Dashboards in the window: the list in the left panel, the dashboard view (a grid of
tiles to arrange), the "Add to dashboard" dialog, and export to HTML and PDF."""
