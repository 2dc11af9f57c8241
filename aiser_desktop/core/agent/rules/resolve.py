"""From the parts of a question to a :class:`Plan`: which table, what to measure, how to
group, filter, rank and compare; or a plain refusal when the data cannot say.

Every choice the question left open is written down as an assumption and lowers the
confidence; a word that names nothing in the data, in a place where it matters ("average
revenue", "flights to Paris"), stops the answer rather than being guessed around. The steps
live in ``measures`` (what to compute, hence the main table), ``linking`` (joins, columns,
filters) and ``timing`` (dates, periods, grains).
"""

from __future__ import annotations

from aiser_desktop.core.agent.rules import lexicon as lx
from aiser_desktop.core.agent.rules.context import Refuse, Resolved, row_columns, short, words_of
from aiser_desktop.core.agent.rules.linking import Linking
from aiser_desktop.core.agent.rules.measures import Measures
from aiser_desktop.core.agent.rules.parse import Mention
from aiser_desktop.core.agent.rules.plan import ColRef, Dimension, Measure, Plan, Step
from aiser_desktop.core.agent.rules.timing import Timing, find_axis
from aiser_desktop.core.agent.rules.vocabulary import stem

__all__ = ["Refuse", "Resolved", "Resolver", "find_axis"]

# Words that may stand between a column and its value ("where carrier is UA").
_QUALIFIER_GAP = {"is", "are", "was", "were", "=", "==", "equals", "equal", "the", "a", "an", ":"}


class Resolver(Measures, Linking, Timing):
    """Resolves one parsed question against the index."""

    def resolve(self) -> Resolved:
        """The plan for the question, or :class:`Refuse` raised with the reason."""
        p = self.p
        self.check_unknowns()
        qualifiers = self.find_qualifiers()
        roles = self.roles(qualifiers)
        try:
            main, measure, counted_note = self.choose_measure(roles)
        except Refuse:
            listing = self.listing(roles)
            if listing is None:
                raise
            return listing
        self.check_tables(main, roles)
        plan = Plan(table=main)
        plan.measures = [measure]
        hint_words = {stem(t.low) for t in p.tokens}
        dims = self.dimensions(main, roles, measure)
        ranked = bool(self.cues("super") or self.cues("top"))
        asked_rows = not self.cues("count") and not self.cues("share")
        if self.entity_is_main and measure == Measure("count") and not ranked and asked_rows:
            listing = self.listing(roles)  # "which products are in the Books category"
            if listing is not None:
                return listing
        filters = self.filters(main, roles, hint_words)
        plan.dimensions = dims
        plan.filters = filters
        self.apply_time(plan)
        self.apply_ranking(plan, roles)
        if (
            self.entity_is_main
            and plan.order
            and measure.column is not None
            and not plan.dimensions
        ):
            # "which airport has the highest altitude": rows of the table, ranked
            table = self.index.table(main)
            assert table is not None
            plan.measures = [Measure("value", measure.column)]
            plan.rows = [ColRef(main, c) for c in row_columns(table) if c != measure.column.column]
            self.assumptions = [a for a in self.assumptions if "averaged" not in a]
            if plan.limit is None:
                plan.limit = 10
        if self.cues("share"):
            if not plan.filters:
                raise Refuse(
                    "A share of what? Name the rows to count, e.g. 'share of orders that were "
                    "cancelled'."
                )
            plan.measures = [Measure("share")]
            plan.share, plan.filters = plan.filters, []
            self.assume("share given as a percentage of all rows (in the period asked)", 0.05)
        if counted_note:
            self.assume(counted_note, 0.0)
        if plan.compare and plan.dimensions:
            plan.dimensions = [d for d in plan.dimensions if not d.grain]
        # A value compared with another of the same column ("JFK vs LGA") is a grouping.
        if p.compare and not plan.compare:
            for f in plan.filters:
                if (
                    f.op == "in"
                    and len(f.values) > 1
                    and not any(d.column == f.column for d in plan.dimensions)
                ):
                    plan.dimensions.insert(0, Dimension(f.column))
        return Resolved(plan, self.assumptions, max(0.05, round(self.confidence, 2)))

    def check_tables(self, main: str, roles: dict[int, str]) -> None:
        """A table the question names must be the one answered or one linked to it ("the
        average altitude of planes": altitude is in airports, which planes do not link to)."""
        for k, m in enumerate(self.p.mentions):
            if m.kind != "table" or roles.get(k) == "used" or not m.tables:
                continue
            named = m.tables[0][0].sql_name
            if (
                named == main
                or self.index.join_path(main, named)
                or self.index.join_path(named, main)
            ):
                continue
            raise Refuse(
                f"The question names {short(named)}, but what it asks for is in {short(main)}, "
                f"which I cannot relate to {short(named)}."
            )

    def check_unknowns(self) -> None:
        """Refuses words that name nothing where they matter; notes the others."""
        loose = []
        for m in self.p.mentions:
            if m.kind != "unknown":
                continue
            cue = self.gov(m)
            word = m.text
            neighbour = next(
                (
                    x
                    for x in self.p.mentions
                    if x.kind in ("column", "table") and (x.end == m.start or x.start == m.end)
                ),
                None,
            )
            if neighbour is not None:
                phrase = " ".join(
                    t.text
                    for t in self.p.tokens[
                        min(m.start, neighbour.start) : max(m.end, neighbour.end)
                    ]
                )
                raise Refuse(
                    f"I found no column for '{phrase}' ('{word}' is nowhere in this data).",
                    (
                        "Ask about a column of the workspace's tables; the sources panel lists "
                        "them.",
                    ),
                )
            if cue is not None and cue.kind in (
                "agg",
                "count",
                "distinct",
                "super",
                "top",
                "which",
                "group",
            ):
                raise Refuse(
                    f"I found nothing called '{word}' in this data.",
                    (
                        "Ask about a column of the workspace's tables; the sources panel lists "
                        "them.",
                    ),
                )
            if (cue is not None and cue.kind == "prep") or (word[:1].isupper() and m.start > 0):
                raise Refuse(f"'{word}' is not a value or a column I found in the data.")
            loose.append(word)
        if len(loose) >= 2:
            raise Refuse(
                "I could not place the words "
                + ", ".join(f"'{w}'" for w in loose)
                + " in this data.",
            )
        for word in loose:
            self.assume(f"the word '{word}' was left out", 0.2)

    def find_qualifiers(self) -> set[int]:
        """Column words that only say where a value is ("carrier UA", "the America/Chicago
        time zone", "where manufacturer is AIRBUS")."""
        found: set[int] = set()
        ms = self.p.mentions
        for k, m in enumerate(ms):
            if m.kind != "column":
                continue
            names = {(c.table, c.name) for c, _s in m.columns}
            for other in (ms[k + 1] if k + 1 < len(ms) else None, ms[k - 1] if k else None):
                if other is None or other.kind not in ("value", "partial"):
                    continue
                gap = range(min(m.end, other.end), max(m.start, other.start))
                # only "is", "=", "the": "destination from LGA" names two things
                if any(self.p.tokens[i].low not in _QUALIFIER_GAP for i in gap):
                    continue
                if names & {(h.table, h.column) for h in other.values}:
                    found.add(k)
        return found

    def roles(self, qualifiers: set[int]) -> dict[int, str]:
        """What each mention is for: measure, count, distinct, dim, filter, limit, ..."""
        roles: dict[int, str] = {}
        for k, m in enumerate(self.p.mentions):
            if k in qualifiers or any(c.column is m for c in self.p.conds):
                roles[k] = "used"
            else:
                roles[k] = self.role(m, k, roles)
        return roles

    def coordinated(self, k: int) -> int | None:
        """The mention this one is listed with ("by origin and carrier")."""
        if k == 0:
            return None
        prev = self.p.mentions[k - 1]
        between = [t.low for t in self.p.tokens[prev.end : self.p.mentions[k].start]]
        if between and all(w in ("and", "or", ",", "&") for w in between):
            return k - 1
        return None

    def role(self, m: Mention, k: int, roles: dict[int, str]) -> str:
        """What mention ``k`` is for, from the cue that governs it."""
        if m.kind in ("value", "partial"):
            return "filter"
        if m.kind == "number":
            return self.number_role(m, k)
        if m.kind == "unknown":
            return "used"
        cue = self.gov(m)
        if m.kind == "rows":
            return "count" if cue is not None and cue.kind == "count" else "context"
        prev = self.p.mentions[k - 1] if k else None
        after_limit = prev is not None and prev.kind == "number" and prev.end == m.start
        if after_limit and roles.get(k - 1) == "limit":
            return "dim"
        if cue is None:
            partner = self.coordinated(k)
            if partner is not None and roles.get(partner) in ("dim", "measure"):
                return roles[partner]
            return "context"
        if cue.kind == "agg":
            return "measure"
        if cue.kind == "share":
            return "count"
        if cue.kind == "count":
            before = self.p.cue_before(cue.start)
            if before is not None and before.kind == "agg" and m.kind == "column":
                return "measure"
            if before is not None and before.kind == "group" and m.kind == "column":
                return "dim_or_count"
            return "count"
        if cue.kind == "distinct":
            return "distinct"
        if cue.kind == "super":
            means_count = cue.value[1]
            if m.kind == "table" and len(cue.value) > 2:
                return "dim"  # "the cheapest product": products ranked by a price
            if m.kind == "table":
                return "count_rank"
            if means_count:
                return "dim"
            if m.kind == "column" and any(c.numeric for c, _s in m.columns[:1]):
                return "rank_measure"
            return "dim"
        if cue.kind in ("top", "which"):
            return "dim"
        if cue.kind == "group":
            ranked = bool(self.cues("top") + self.cues("super")) and "dim" in roles.values()
            if (
                m.kind == "column"
                and ranked
                and any(c.numeric and c.semantic != "id" for c, _s in m.columns[:1])
            ):
                return "rank_measure"
            return "dim"
        return "context"

    def number_role(self, m: Mention, k: int) -> str:
        """What a number is: a limit, an id ("customer 42"), or a value ("2 engines")."""
        ms = self.p.mentions
        nxt = ms[k + 1] if k + 1 < len(ms) else None
        prev = ms[k - 1] if k else None
        whole = m.number is not None and float(m.number).is_integer()
        if prev is not None and prev.end == m.start and prev.kind == "table" and whole:
            return "id"
        if (
            nxt is not None
            and nxt.start == m.end
            and nxt.kind == "column"
            and any(c.numeric for c, _s in nxt.columns[:1])
            and not (self.cues("top") or self.cues("super"))
        ):
            return "equals"
        if whole and (self.cues("super") or self.cues("which")) and 0 < (m.number or 0) <= 1000:
            return "limit"
        raise Refuse(f"I do not know what the number {m.text} refers to.")

    def listing(self, roles: dict[int, str]) -> Resolved | None:
        """Rows of a table, as asked by "show ..." or "which <table> ...", with filters."""
        tables = [
            m
            for k, m in enumerate(self.p.mentions)
            if m.kind == "table" and roles.get(k) in ("dim", "context", "count")
        ]
        if not tables or self.cues("agg") or self.cues("count"):
            return None
        asked = self.p.list_intent or any(
            (cue := self.gov(m)) is not None and cue.kind == "which" for m in tables
        )
        if not asked:
            return None
        main = tables[0].tables[0][0]
        plan = Plan(table=main.sql_name)
        plan.filters = self.filters(main.sql_name, roles, self.words)
        columns = row_columns(main)
        plan.rows = [ColRef(main.sql_name, c) for c in columns] or [ColRef(main.sql_name, "*")]
        self.apply_time(plan)
        self.assume("a listing of the rows asked for", 0.1)
        return Resolved(plan, self.assumptions, max(0.05, round(self.confidence, 2)))

    def dimensions(self, main: str, roles: dict[int, str], measure: Measure) -> list[Dimension]:
        """The groupings: columns, or a linked table's key for a named table."""
        dims: list[Dimension] = []
        hint = {stem(t.low) for t in self.p.tokens}
        for k, role in roles.items():
            m = self.p.mentions[k]
            if role == "dim_or_count" and (measure.column is not None or measure.agg != "count"):
                role = "dim"
            if role != "dim":
                continue
            if m.kind == "table":
                table = m.tables[0][0].sql_name
                if table == main:
                    cue = self.gov(m)
                    if cue is not None and cue.kind in ("which", "top", "super"):
                        self.entity_is_main = True
                    continue  # "per plane" when counting planes: each row
                fk = self.link_column(main, table)
                if fk is None:
                    path = self.path_to(main, table, hint)
                    if not path:
                        raise Refuse(f"I cannot relate {short(table)} to {short(main)}.")
                    fk = path[0].columns[0]
                dims.append(Dimension(ColRef(main, fk)))
                continue
            if m.kind == "column":
                ref = self.pick_column(main, m, "dim", hint)
                if (
                    measure.column is not None
                    and ref.column == measure.column.column
                    and (ref.table == measure.column.table)
                ):
                    continue
                dims.append(Dimension(ref))
        # "top 3 airlines ..., with their names": a column of a table grouped by its key
        for k, role in roles.items():
            m = self.p.mentions[k]
            if role != "context" or m.kind != "column" or self.prep_before(m) != "with":
                continue
            for d in list(dims):
                if d.column is None or d.column.path:
                    continue
                links = [j for j in self.index.joins_from(main) if j.columns == (d.column.column,)]
                for j in links:
                    for c, _s in m.columns:
                        if c.table == j.other:
                            step = Step(j.table, j.columns, j.other, j.other_columns)
                            dims.append(Dimension(ColRef(c.table, c.name, (step,))))
                            roles[k] = "used"
                            break
        return dims

    def apply_ranking(self, plan: Plan, roles: dict[int, str]) -> None:
        """Order and limit from "top 5", "which ... the most", "the worst"."""
        tops = self.cues("top")
        supers = self.cues("super")
        limit = None
        direction = ""
        for cue in tops:
            direction, limit = cue.value
        for cue in supers:
            direction = direction or cue.value[0]
        for k, role in roles.items():
            if role == "limit":
                limit = int(self.p.mentions[k].number or 0)
        if not direction:
            return
        measure = plan.measures[0]
        if direction in ("best", "worst"):
            words = set(self.words)
            if measure.column is not None:
                words |= {stem(w) for w in words_of(measure.column.column)}
            negative = bool(words & {stem(w) for w in lx.NEGATIVE_MEASURES})
            worst_high = negative or (measure.agg in ("count", "count_distinct") and False)
            if direction == "worst":
                direction = "desc" if worst_high else "asc"
            else:
                direction = "asc" if worst_high else "desc"
            self.assume(
                f"'{'worst' if direction == 'desc' else 'best'}' ranked "
                f"{'highest' if direction == 'desc' else 'lowest'} first",
                0.05,
            )
        if not plan.dimensions and self.entity_is_main and measure.column is not None:
            plan.order = direction  # rows of the table itself, ranked (see resolve)
            plural = any(
                self.p.mentions[k].plural and self.p.mentions[k].kind == "table"
                for k, r in roles.items()
                if r == "dim"
            )
            plan.limit = limit if limit is not None else (10 if tops or plural else 1)
            return
        if not plan.dimensions:
            if (
                measure.column is not None
                and not self.cues("agg")
                and measure.agg in ("avg", "sum")
            ):
                plan.measures = [Measure("max" if direction == "desc" else "min", measure.column)]
                self.assumptions = [
                    a for a in self.assumptions if "averaged" not in a and "added up" not in a
                ]
                self.confidence += 0.1
            return
        plan.order = direction
        if limit is None:
            plural = any(self.p.mentions[k].plural for k, r in roles.items() if r == "dim")
            if tops:
                limit = 10
                self.assume("'top' read as the top 10", 0.05)
            elif not plural:
                limit = 1
        plan.limit = limit
        plan.exclude_null_groups = limit is not None
