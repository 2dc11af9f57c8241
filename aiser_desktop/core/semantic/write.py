"""Cubes and views back to Cube's YAML: the inverse of :mod:`.reader`.

Used to save a model made in code (the auto-model, a metric added from the app) in the same
syntax a person writes, so the files stay readable and a real Cube deployment reads them too.
Only what differs from Cube's defaults is written (no ``public: true``, no empty lists).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiser_desktop.core.semantic.model import (
    Cube,
    Dimension,
    Measure,
    Member,
    PreAggregation,
    SemanticModel,
    View,
)


def _member(m: Member) -> dict[str, Any]:
    out: dict[str, Any] = {"name": m.name}
    if m.sql:
        out["sql"] = m.sql
    if m.kind != "segment":
        out["type"] = m.type
    if isinstance(m, Dimension) and m.primary_key:
        out["primary_key"] = True
    if m.title:
        out["title"] = m.title
    if m.description:
        out["description"] = m.description
    if isinstance(m, Measure):
        if m.filters:
            out["filters"] = [{"sql": f} for f in m.filters]
        if m.rolling_window:
            out["rolling_window"] = dict(m.rolling_window)
    if isinstance(m, (Measure, Dimension)) and m.format:
        out["format"] = m.format
    if not m.public:
        out["public"] = False
    return out


def _own(cube: str, full: str) -> str:
    return f"CUBE.{full[len(cube) + 1 :]}" if full.startswith(f"{cube}.") else full


def _pre_aggregation(p: PreAggregation) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name}
    if p.type != "rollup":
        out["type"] = p.type
    for key in ("measures", "dimensions", "segments"):
        names = getattr(p, key)
        if names:
            out[key] = [_own(p.cube, n) for n in names]
    if p.time_dimension:
        out["time_dimension"] = _own(p.cube, p.time_dimension)
    if p.granularity:
        out["granularity"] = p.granularity
    return out


def cube_to_dict(cube: Cube) -> dict[str, Any]:
    """A cube as plain data in Cube's YAML layout (key order as in Cube's documentation)."""
    out: dict[str, Any] = {"name": cube.name}
    if cube.sql_table:
        out["sql_table"] = cube.sql_table
    if cube.sql:
        out["sql"] = cube.sql
    if cube.title:
        out["title"] = cube.title
    if cube.description:
        out["description"] = cube.description
    if not cube.public:
        out["public"] = False
    if cube.joins:
        out["joins"] = [
            {"name": j.name, "sql": j.sql, "relationship": j.relationship}
            for j in cube.joins.values()
        ]
    for key in ("measures", "dimensions", "segments"):
        members = getattr(cube, key)
        if members:
            out[key] = [_member(m) for m in members.values()]
    if cube.pre_aggregations:
        out["pre_aggregations"] = [_pre_aggregation(p) for p in cube.pre_aggregations.values()]
    return out


def view_to_dict(view: View) -> dict[str, Any]:
    out: dict[str, Any] = {"name": view.name}
    if view.title:
        out["title"] = view.title
    if view.description:
        out["description"] = view.description
    entries = []
    for entry in view.cubes:
        item: dict[str, Any] = {"join_path": entry.join_path}
        if entry.prefix:
            item["prefix"] = True
        if isinstance(entry.includes, str):
            item["includes"] = entry.includes
        else:
            item["includes"] = [
                name if name == alias else {"name": name, "alias": alias}
                for name, alias in entry.includes
            ]
        if entry.excludes:
            item["excludes"] = list(entry.excludes)
        entries.append(item)
    out["cubes"] = entries
    return out


def to_yaml(cubes: list[Cube] | None = None, views: list[View] | None = None) -> str:
    """One model file's text holding ``cubes`` and ``views``."""
    import yaml

    doc: dict[str, Any] = {}
    if cubes:
        doc["cubes"] = [cube_to_dict(c) for c in cubes]
    if views:
        doc["views"] = [view_to_dict(v) for v in views]
    return str(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))


def dump_model(model: SemanticModel, folder: Path) -> list[Path]:
    """Writes each cube to ``model/cubes/<name>.yml`` and each view to ``model/views/``."""
    base = folder if folder.name == "model" else folder / "model"
    written = []
    for sub, items in (("cubes", model.cubes.values()), ("views", model.views.values())):
        (base / sub).mkdir(parents=True, exist_ok=True)
        for item in items:
            path = base / sub / f"{item.name}.yml"
            text = to_yaml(cubes=[item]) if isinstance(item, Cube) else to_yaml(views=[item])
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
