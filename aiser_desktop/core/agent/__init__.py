"""The agent: a question in plain words in; the SQL, the numbers, a chart and a short answer out.

See ``types.py`` for the records that pass between its parts, and docs/architecture.md for the
flow (providers, tools, the loop, the read-only guard).
"""
