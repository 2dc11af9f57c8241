"""Metric questions answered through the semantic layer first: correct by construction.

When a workspace has a semantic model (``model/cubes/*.yml``), a question that names one of
its measures ("total distance by month", "flights per carrier", "average departure delay by
origin in 2013") is read into a Cube ``/load`` query and compiled by
:func:`aiser_desktop.core.semantic.compile_query`: the measure's definition (its
aggregation, its filters, its joins without fan-out) is the model's, not a guess of the
interpreter. The answer names the metric it used.

The reading is deliberately strict: every word of the question must be placed (a measure, a
dimension, a granularity, a year, "top N", or a word of no meaning such as "show" or
"the"). A question with anything else in it (a filter on a value, a comparison of periods)
returns None, and the SQL rules answer it as before, so a model never makes the agent worse.

    found = interpret_metrics("flights per carrier", model)
    if found is None: ...  # the SQL rules answer
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.agent.rules.vocabulary import related_terms, split_name, stem
from aiser_desktop.core.agent.types import Interpretation

if TYPE_CHECKING:
    from aiser_desktop.core.security.sql_guard import ReadOnlyRunner

log = logging.getLogger(__name__)

PROVIDER = "rules"
MODEL_FOLDER = "model"

GRAINS: dict[str, str] = {
    "hour": "hour", "hourly": "hour", "day": "day", "daily": "day", "date": "day",
    "week": "week", "weekly": "week", "month": "month", "monthly": "month",
    "quarter": "quarter", "quarterly": "quarter", "year": "year", "yearly": "year",
    "annual": "year", "annually": "year",
}  # fmt: skip

# The words that name an aggregation, by Cube measure type.
AGGREGATION_WORDS: dict[str, frozenset[str]] = {
    "count": frozenset({"count", "number", "many", "how"}),
    "count_distinct": frozenset({"distinct", "unique", "different", "number", "many", "count"}),
    "count_distinct_approx": frozenset({"distinct", "unique", "different", "number", "many"}),
    "sum": frozenset({"total", "sum", "overall"}),
    "avg": frozenset({"average", "avg", "mean", "typical"}),
    "min": frozenset({"minimum", "min", "lowest", "smallest", "least", "earliest"}),
    "max": frozenset({"maximum", "max", "highest", "largest", "biggest", "latest"}),
}
# Words that can stand before any measure ("total flights" is the count of flights).
GENERIC = frozenset({"total", "number", "many", "much", "how", "count", "overall", "all"})
_FILLER_WORDS = """
a an the of in for to me show give list what whats is are was were please tell find get
display chart plot see do does did can could you i we our my there their its each every
metric metrics measure value values figure figures by per across with over and breakdown
broken down split grouped group
"""
FILLER = frozenset(_FILLER_WORDS.split())
# The words a follow-up starts with ("and by month?", "what about by origin", "only in 2013").
FOLLOW_UP = frozenset({"and", "now", "only", "just", "also", "what", "about", "how", "then"})
SPLITTERS = re.compile(
    r"\b(?:broken down by|grouped by|split by|for each|for every|per|by|across|each)\b"
)
_TOP = re.compile(r"\b(top|bottom|highest|lowest|best|worst)\s+(\d{1,4})\b")
_YEAR = re.compile(r"\b(?:in|during|for)?\s*((?:19|20)\d\d)\b")
_WORD = re.compile(r"[a-z0-9_]+")


# ---------------------------------------------------------------------- the model, cached
_CACHE: dict[Path, tuple[tuple[Any, ...], Any]] = {}
_CACHE_LOCK = threading.Lock()


def _signature(folder: Path) -> tuple[Any, ...]:
    files = sorted(folder.glob("model/**/*.yml")) + sorted(folder.glob("model/**/*.yaml"))
    out = []
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def model_for(workspace_folder: Path | None) -> Any:
    """The workspace's semantic model, or None when it has none (or none loads).

    Loaded again only when a model file changed (names, times and sizes are compared), so
    asking many questions costs one ``stat`` per file.
    """
    if workspace_folder is None:
        return None
    folder = Path(workspace_folder)
    signature = _signature(folder)
    if not signature:
        return None
    with _CACHE_LOCK:
        cached = _CACHE.get(folder)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        from aiser_desktop.core.semantic import load_model
    except ImportError:  # the semantic layer is not part of this build
        return None
    try:
        loaded, errors = load_model(folder)
    except Exception:
        log.exception("the semantic model in %s could not be loaded", folder)
        return None
    for error in errors[:5]:
        log.info("semantic model: %s", error)
    model = loaded if loaded.cubes else None
    with _CACHE_LOCK:
        _CACHE[folder] = (signature, model)
    return model


# ---------------------------------------------------------------------- words of members
def _terms(texts: Iterable[str]) -> dict[str, float]:
    """The stems a member's names and title stand for, with synonyms and abbreviations."""
    terms: dict[str, float] = {}
    for text in texts:
        for word in split_name(text or ""):
            for term, weight in related_terms(word).items():
                terms[term] = max(terms.get(term, 0.0), weight)
    return terms


def _question_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower().replace("'s", "")) if w]


def _matches(word: str, terms: dict[str, float]) -> float:
    best = 0.0
    for term, weight in related_terms(word).items():
        if term in terms:
            best = max(best, weight * terms[term])
    return best


@dataclass(frozen=True)
class _Pick:
    member: Any
    cube: Any
    score: float
    by_cube_only: bool = False  # only the cube's name matched ("airlines": rows, or a count?)


def _own_words(member: Any) -> set[str]:
    """The stems of a member's own name, less its aggregation's words ("distance_sum" ->
    {distance})."""
    kind = str(getattr(member, "type", ""))
    agg = {stem(w) for w in AGGREGATION_WORDS.get(kind, ())}
    return {stem(w) for w in split_name(member.name)} - agg - {"total", "num"}


def _best_measure(words: Sequence[str], model: Any) -> _Pick | None:
    """The measure whose words cover every content word of ``words`` best."""
    content = [w for w in words if w not in FILLER]
    if not content:
        return None
    picks: list[tuple[float, int, str, _Pick]] = []
    for cube in model.cubes.values():
        cube_terms = _terms([cube.name, getattr(cube, "title", "") or ""])
        for measure in cube.measures.values():
            kind = str(getattr(measure, "type", ""))
            agg = AGGREGATION_WORDS.get(kind, frozenset())
            own = _terms([measure.name, getattr(measure, "title", "") or ""])
            score = 0.0
            covered = True
            named = False  # a word of the measure itself, or of its aggregation
            used: set[str] = set()
            for word in content:
                if word in agg:
                    # The question's own aggregation ("total" distance is a sum) outweighs
                    # the same word inside a column's name ("avg_total_amount").
                    score += 2.5
                    named = True
                    continue
                hit = _matches(word, own)
                if hit:
                    score += 2.0 * hit
                    named = True
                    used |= set(related_terms(word))
                    continue
                hit = _matches(word, cube_terms)
                if hit:
                    score += 1.0 * hit
                    continue
                if word in GENERIC:
                    continue
                covered = False
                break
            if not covered or score <= 0:
                continue
            unmentioned = len(_own_words(measure) - used)
            pick = _Pick(measure, cube, score, by_cube_only=not named)
            picks.append((score, -unmentioned, measure.full_name, pick))
    if not picks:
        return None
    picks.sort(key=lambda p: (p[0], p[1]), reverse=True)
    best = picks[0]
    # Two measures read equally well: the question does not say which; the SQL rules decide.
    if len(picks) > 1 and picks[1][:2] == best[:2]:
        return None
    return best[3]


def _best_dimension(words: Sequence[str], model: Any, home: Any) -> Any:
    """The dimension every content word of ``words`` names (the measure's cube first)."""
    content = [w for w in words if w not in FILLER]
    if not content:
        return None
    picks: list[tuple[float, int, Any]] = []
    for cube in model.cubes.values():
        cube_terms = _terms([cube.name, getattr(cube, "title", "") or ""])
        for dim in cube.dimensions.values():
            if str(getattr(dim, "type", "")) == "time":
                continue
            own = _terms([dim.name, getattr(dim, "title", "") or ""])
            score = 0.0
            named = False  # "plane" alone names the planes cube, not one of its dimensions
            for word in content:
                hit = _matches(word, own) * 2.0
                named = named or hit > 0
                hit = hit or _matches(word, cube_terms)
                if not hit:
                    score = 0.0
                    break
                score += hit
            if score > 0 and named:
                picks.append((score + (0.5 if cube is home else 0.0), -len(dim.name), dim))
    if not picks:
        return None
    picks.sort(key=lambda p: (p[0], p[1]), reverse=True)
    return picks[0][2]


def _names_cube(words: Sequence[str], cube: Any) -> bool:
    """Whether every content word names ``cube`` itself ("plane" for planes)."""
    content = [w for w in words if w not in FILLER]
    terms = _terms([cube.name, getattr(cube, "title", "") or ""])
    return bool(content) and all(_matches(w, terms) for w in content)


def _time_dimension(cube: Any, words: Sequence[str]) -> Any:
    """The cube's time dimension the words name, else its first one."""
    times = [d for d in cube.dimensions.values() if str(getattr(d, "type", "")) == "time"]
    if not times:
        return None
    content = [w for w in words if w not in FILLER and w not in GRAINS]
    for dim in times:
        own = _terms([dim.name, getattr(dim, "title", "") or ""])
        if content and all(_matches(w, own) for w in content):
            return dim
    return None if content else times[0]


# ---------------------------------------------------------------------- reading a question
def read_question(
    question: str, model: Any, previous: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """A Cube ``/load`` query for ``question``, or None when it does not read as a metric
    question through and through (see the module's docstring).

    Args:
        previous: The last answer's query, when it came from a metric: a follow-up that
            names no measure ("and by month?", "by origin", "only in 2013") refines it.
    """
    text = " " + question.lower().strip().rstrip("?.!") + " "
    query: dict[str, Any] = {"measures": [], "dimensions": []}
    top = _TOP.search(text)
    if top:
        descending = top.group(1) in ("top", "highest", "best")
        text = text[: top.start()] + " " + text[top.end() :]
    year_match = _YEAR.search(text)
    year = year_match.group(1) if year_match else None
    if year_match:
        text = text[: year_match.start()] + " " + text[year_match.end() :]
    parts = SPLITTERS.split(text, maxsplit=1)
    head = _question_words(parts[0])
    tail = _question_words(parts[1]) if len(parts) > 1 else []
    grains = [GRAINS[w] for w in head + tail if w in GRAINS]
    head = [w for w in head if w not in GRAINS]
    pick = _best_measure(head, model)
    if pick is None and previous and not [w for w in head if w not in FILLER | FOLLOW_UP]:
        pick = _previous_pick(previous, model)
        if pick is not None:  # a follow-up: the last query, refined
            query = _copy(previous)
    elif pick is None and tail:  # "top 5 carriers by flights": the measure comes last
        swapped = _best_measure([w for w in tail if w not in GRAINS], model)
        if swapped is not None:
            pick, head, tail = swapped, tail, head
    if pick is None:
        return None
    if not query["measures"]:
        query["measures"].append(pick.member.full_name)
    query.setdefault("dimensions", [])
    groups = _groups([w for w in tail if w not in GRAINS])
    if pick.by_cube_only and not (groups or grains or year or top):
        return None  # "list the airlines" asks for rows, not their count
    if pick.by_cube_only and top:
        return None  # "top 5 customers by sales" ranks the cube's rows: the SQL rules
    for group in groups:
        if _names_cube(group, pick.cube):
            continue  # "engines per plane" over planes: per row, no grouping
        dim = _best_dimension(group, model, pick.cube)
        if dim is None:
            return None
        if dim.full_name not in query["dimensions"]:
            query["dimensions"].append(dim.full_name)
    if grains or year:
        entry: dict[str, Any] = dict((query.get("timeDimensions") or [{}])[0])
        if not entry:
            dim = _time_dimension(pick.cube, [])
            if dim is None:
                return None
            entry["dimension"] = dim.full_name
        if grains:
            entry["granularity"] = grains[0]
        if year:
            entry["dateRange"] = [f"{year}-01-01", f"{year}-12-31"]
        query["timeDimensions"] = [entry]
    if top:
        query["order"] = {pick.member.full_name: "desc" if descending else "asc"}
        query["limit"] = int(top.group(2))
    # else Cube's default order: the time axis ascending, or the measure descending
    if not query["dimensions"]:
        del query["dimensions"]
    return query


def _copy(query: dict[str, Any]) -> dict[str, Any]:
    import copy

    return copy.deepcopy(query)


def _previous_pick(previous: dict[str, Any], model: Any) -> _Pick | None:
    measures = previous.get("measures") or []
    member = _member(model, measures[0]) if measures else None
    if member is None:
        return None
    cube = model.cubes.get(member.cube)
    return _Pick(member, cube, 0.0) if cube is not None else None


def previous_query(history: Sequence[Any]) -> dict[str, Any] | None:
    """The query of the last answered turn, when a metric answered it (else None)."""
    for turn in reversed(history):
        interpretation = getattr(turn, "interpretation", None)
        if interpretation is None:
            if getattr(turn, "sql", None) is None:
                continue
            return None
        found = (interpretation.details or {}).get("semantic_query")
        return found if isinstance(found, dict) else None
    return None


def _groups(words: Sequence[str]) -> list[list[str]]:
    """The group-by words cut at "and" and commas: "carrier and origin" -> two groups."""
    groups: list[list[str]] = [[]]
    for word in words:
        if word in ("and", "then"):
            groups.append([])
        else:
            groups[-1].append(word)
    return [g for g in groups if [w for w in g if w not in FILLER]]


# ---------------------------------------------------------------------- the interpretation
def interpret_metrics(
    question: str,
    model: Any,
    runner: ReadOnlyRunner | None = None,
    history: Sequence[Any] = (),
) -> Interpretation | None:
    """The question answered through the semantic model, or None (the SQL rules answer).

    Args:
        question: The question in plain words.
        model: A :class:`~aiser_desktop.core.semantic.SemanticModel` (None: no model).
        runner: When given, the compiled SQL is checked against the read-only guard first
            (a query the guard would refuse falls back to the SQL rules).
        history: The conversation's earlier turns (a follow-up refines a metric answer).
    """
    if model is None or not getattr(model, "cubes", None):
        return None
    query = read_question(question, model, previous_query(history))
    if query is None:
        return None
    if runner is not None and _zoned_time(query, model, runner):
        # Buckets and ranges of a column stored with a time zone depend on this machine's
        # zone, not on the data's own calendar: the SQL rules read its date parts instead.
        log.info("metric reading of %r not used: its time dimension has a time zone", question)
        return None
    from aiser_desktop.core.semantic import compile_query

    try:
        compiled = compile_query(model, query)
        if runner is not None:
            runner.check(compiled.sql)
    except Exception as exc:  # a model the compiler or the guard refuses: the SQL rules
        log.info("metric reading of %r not used: %s", question, exc)
        return None
    return _interpretation(query, compiled, model)


def _zoned_time(query: dict[str, Any], model: Any, runner: ReadOnlyRunner) -> bool:
    """Whether the query's time dimension is a bare column of type TIMESTAMP WITH TIME
    ZONE (per the catalog); an expression (``timezone('America/New_York', {CUBE}.t)``) is
    the model's own choice of clock and is trusted."""
    from aiser_desktop.core.security.sql_guard import name_parts

    times = query.get("timeDimensions") or []
    member = _member(model, times[0]["dimension"]) if times else None
    cube = model.cubes.get(member.cube) if member is not None else None
    if member is None or cube is None or not getattr(cube, "sql_table", ""):
        return False
    column = (member.sql or member.name).strip()
    column = re.sub(r"^\{(?:CUBE|" + re.escape(cube.name) + r")\}\.", "", column).strip('"')
    if not re.fullmatch(r"\w+", column):
        return False
    try:
        name = runner.relations.resolve(name_parts(cube.sql_table))
    except Exception:
        return False
    table = runner.relations.tables.get(name) if name else None
    for info in getattr(table, "columns", ()):
        if info.name.lower() == column.lower():
            kind = str(info.type).upper()
            return "TIME ZONE" in kind or kind == "TIMESTAMPTZ"
    return False


def _member(model: Any, full_name: str) -> Any:
    cube_name, _, name = full_name.partition(".")
    cube = model.cubes.get(cube_name)
    if cube is None:
        return None
    return cube.measures.get(name) or cube.dimensions.get(name)


def _label(member: Any, fallback: str) -> str:
    title = getattr(member, "title", "") if member is not None else ""
    return str(title or fallback.split(".")[-1].replace("_", " "))


def _interpretation(query: dict[str, Any], compiled: Any, model: Any) -> Interpretation:
    measure = query["measures"][0]
    member = _member(model, measure)
    columns = list(getattr(compiled, "columns", []) or [])
    by = [_label(_member(model, d), d) for d in query.get("dimensions", [])]
    time = (query.get("timeDimensions") or [{}])[0]
    if time.get("granularity"):
        by.insert(0, time["granularity"])
    explanation = _label(member, measure) + (f" by {' and '.join(by)}" if by else "")
    if time.get("dateRange"):
        explanation += f" in {time['dateRange'][0][:4]}"
    if query.get("limit"):
        explanation += f", top {query['limit']}"
    definition = f"{getattr(member, 'type', '')} of {getattr(member, 'sql', '') or '*'}"
    assumptions = [f"Answered with the metric {measure} ({definition}) from the semantic model."]
    used = getattr(compiled, "pre_aggregation", None)
    if used:
        assumptions.append(f"Read from the pre-aggregation {used}.")
    chart = _chart(query, columns)
    return Interpretation(
        sql=compiled.sql,
        explanation=explanation,
        assumptions=tuple(assumptions),
        confidence=0.95,
        chart=chart,
        details={
            "semantic_query": query,
            "metrics": [measure],
            "columns": columns,
            "provider": PROVIDER,
        },
    )


def _chart(query: dict[str, Any], columns: list[str]) -> dict[str, Any] | None:
    """A line over time, or bars by the first dimension; y is the measure's column."""
    measure = query["measures"][0]
    y = next((c for c in columns if c == measure), None)
    time = (query.get("timeDimensions") or [{}])[0]
    if y is None:
        return None
    if time.get("granularity"):
        x = next((c for c in columns if c.startswith(time["dimension"])), None)
        return {"kind": "line", "x": x, "y": y} if x else None
    if query.get("dimensions"):
        return {"kind": "bar", "x": query["dimensions"][0], "y": y}
    return None


def answer_metric_question(
    question: str,
    workspace_folder: Path | None,
    runner: ReadOnlyRunner | None = None,
    history: Sequence[Any] = (),
) -> Interpretation | None:
    """:func:`interpret_metrics` with the workspace's model (None without one)."""
    try:
        model = model_for(workspace_folder)
        if model is None:
            return None
        return interpret_metrics(question, model, runner, history)
    except Exception:  # never stop the SQL rules from answering
        log.exception("the metric reading of %r failed", question)
        return None


CONTEXT_MEMBERS = 15  # metrics listed in a model's context


def context_lines(workspace_folder: Path | None, question: str) -> list[str]:
    """Lines for a model's context: the metrics that match the question (the loop adds
    them after the tables), so a model reaches for ``query_metrics`` first."""
    try:
        model = model_for(workspace_folder)
        if model is None:
            return []
        from aiser_desktop.core.semantic import find_metrics

        found = [m for m in find_metrics(model, question) if m.kind == "measure"]
        found = found or [m for c in model.cubes.values() for m in c.measures.values()]
    except Exception:
        log.exception("the metrics for the context could not be listed")
        return []
    lines = [
        "",
        "Metrics of the semantic model (defined once, correct by construction: prefer "
        "query_metrics for them; list_metrics shows every measure and dimension):",
    ]
    for member in found[:CONTEXT_MEMBERS]:
        about = member.description or member.title
        lines.append(f"{member.full_name} ({member.type})" + (f": {about[:120]}" if about else ""))
    return lines


SEMANTIC_TOOLS = ("list_metrics", "query_metrics")


def tool_names(names: Sequence[str], workspace_folder: Path | None) -> list[str] | None:
    """The tools to offer a model: all of them (None) when the workspace has a semantic
    model, else all but the metrics tools, which could only say there are no metrics."""
    if model_for(workspace_folder) is not None:
        return None
    return [n for n in names if n not in SEMANTIC_TOOLS]
