"""What a question measures, and so which table it is about."""

from __future__ import annotations

from aiser_desktop.core.agent.rules.context import (
    ADDITIVE_WORDS,
    AGG_VERB,
    AGG_WORD,
    Context,
    Refuse,
    measurable,
    short,
)
from aiser_desktop.core.agent.rules.parse import Mention
from aiser_desktop.core.agent.rules.plan import ColRef, Measure
from aiser_desktop.core.agent.rules.vocabulary import related_terms, split_name, stem
from aiser_desktop.core.agent.schema_index import ColumnEntry, TableEntry


def covered(col: ColumnEntry, phrase: str) -> bool:
    """Whether every word of the column's name is named by the phrase (or its table)."""
    said: set[str] = set()
    for word in phrase.lower().split():
        said |= set(related_terms(word))
    table_words = {stem(w) for w in split_name(col.table.split(".")[-1])}
    return all(stem(w) in said or stem(w) in table_words for w in col.words)


class Measures(Context):
    """Choosing the measure and the main table."""

    def choose_measure(self, roles: dict[int, str]) -> tuple[str, Measure, str]:
        """The main table and what to compute."""
        p = self.p
        ms = p.mentions
        by_role: dict[str, list[Mention]] = {}
        for k, role in roles.items():
            by_role.setdefault(role, []).append(ms[k])
        context = self.context_tables()
        aggs = self.cues("agg")

        found = by_role.get("measure") or by_role.get("rank_measure") or []
        measure_m: Mention | None = found[0] if found else None
        counting = bool(
            self.cues("count")
            or by_role.get("count")
            or by_role.get("count_rank")
            or any(c.value[1] for c in self.cues("super"))
        )
        if measure_m is None and not aggs and not counting:
            # "monthly sales": a number said without an aggregate
            loose = [
                m
                for m in by_role.get("context", [])
                if m.kind == "column" and any(measurable(c) for c, _s in m.columns[:1])
            ]
            measure_m = loose[0] if loose else None
        if measure_m is None:
            implied = self.implied_measure(context)
            if implied is not None:
                return implied.table, Measure("avg", ColRef(implied.table, implied.name)), ""
        if measure_m is None and aggs:
            # "average for JFK of departure delay", or a measure said without a cue
            loose = [
                m
                for m in by_role.get("context", [])
                if m.kind == "column" and any(c.numeric for c, _s in m.columns)
            ]
            measure_m = loose[0] if loose else None
            if measure_m is None and not by_role.get("count") and not by_role.get("count_rank"):
                raise Refuse(
                    "I could not tell which column to "
                    + AGG_VERB.get(aggs[0].value, "aggregate")
                    + "."
                )
        if measure_m is not None and measure_m.kind == "table":
            cue = self.gov(measure_m)
            if cue is not None and cue.kind == "agg" and cue.value not in ("sum",):
                raise Refuse(
                    f"I could not tell which number of {short(measure_m.tables[0][0].sql_name)} "
                    f"to {AGG_VERB.get(cue.value, 'aggregate')}.",
                    ("Name the column, e.g. 'average <column> of ...'.",),
                )
            return measure_m.tables[0][0].sql_name, Measure("count"), ""
        if measure_m is not None:
            col = self.best_measure(measure_m, context)
            agg = None
            cue = self.gov(measure_m)
            if cue is not None and cue.kind == "agg":
                agg = cue.value
            elif cue is not None and cue.kind == "count":
                before = self.p.cue_before(cue.start)
                agg = before.value if before is not None and before.kind == "agg" else None
            elif aggs:
                agg = aggs[0].value
            if col.kind in ("date", "timestamp") and agg not in ("min", "max"):
                return col.table, Measure("count"), ""
            if not col.numeric and agg not in ("min", "max", None):
                raise Refuse(f"{col.name} is not a number, so it has no {AGG_WORD.get(agg, agg)}.")
            if agg is None:
                if not col.numeric:
                    return col.table, Measure("count_distinct", ColRef(col.table, col.name)), ""
                quantity = (
                    cue is not None
                    and cue.kind == "super"
                    and self.p.tokens[cue.start].low in ("most", "least", "fewest")
                )
                if quantity:  # "the most miles": all of them, added up
                    self.assume(f"{col.name} added up (sum)", 0.05)
                    agg = "sum"
                else:
                    agg = self.default_agg(col)
            return col.table, Measure(agg, ColRef(col.table, col.name)), ""

        counted = by_role.get("count", []) + by_role.get("count_rank", [])
        distinct = by_role.get("distinct", [])
        for m in distinct + counted:
            if m.kind == "table":
                table = m.tables[0][0]
                if m in distinct:
                    owner = self.owner_of(table, context)
                    if owner is not None:
                        fk = self.link_column(owner, table.sql_name)
                        if fk is not None:
                            return owner, Measure("count_distinct", ColRef(owner, fk)), ""
                return table.sql_name, Measure("count"), ""
            if m.kind == "column":
                col = self.best_measure(m, context, numeric=False)
                additive = {stem(w) for w in col.words} & {stem(w) for w in ADDITIVE_WORDS}
                if m in counted and col.numeric and (additive or col.semantic == "currency"):
                    return col.table, Measure("sum", ColRef(col.table, col.name)), ""
                return col.table, Measure("count_distinct", ColRef(col.table, col.name)), ""
            if m.kind == "rows":
                table_m = next((x for x in ms if x.kind == "table"), None)
                if table_m is not None:
                    return table_m.tables[0][0].sql_name, Measure("count"), ""
        wants_count = (
            bool(self.cues("count"))
            or any(c.value[1] for c in self.cues("super"))
            or bool(self.cues("top"))
            or bool(by_role.get("dim"))
            or p.time.grain
        )
        if wants_count:
            table_m = next((x for x in ms if x.kind == "table"), None)
            if table_m is not None:
                return table_m.tables[0][0].sql_name, Measure("count"), ""
            for role in ("dim", "dim_or_count", "filter", "context"):
                for m in by_role.get(role, []):
                    if m.kind == "column" and m.columns:
                        best = m.columns[0][1]
                        near = {c.table for c, sc in m.columns if sc >= best - 0.05}
                        fact = self.fact_table(near)
                        return fact, Measure("count"), f"counted rows of {short(fact)}"
                    if m.kind in ("value", "partial") and m.values:
                        fact = self.fact_table({h.table for h in m.values})
                        return fact, Measure("count"), f"counted rows of {short(fact)}"
        raise Refuse(
            "I could not tell what to measure.",
            ("Ask for a number: 'how many ...', 'average ...', 'total ... by ...'.",),
        )

    def implied_measure(self, context: set[str]) -> ColumnEntry | None:
        """The column a superlative names by itself ("cheapest": a price)."""
        for cue in self.cues("super"):
            if len(cue.value) < 3:
                continue
            cols, _tables = self.index.term_matches(related_terms(cue.value[2]))
            found = [
                self.index.column_by_id(c) for c, w in sorted(cols.items(), key=lambda x: -x[1])
            ]
            found = [c for c in found if c.numeric]
            preferred = [c for c in found if c.table in context] or found
            if preferred:
                said = " ".join(t.text for t in self.p.tokens[cue.start : cue.end])
                self.assume(f"'{said}' ranked by {preferred[0].name}", 0.1)
                return preferred[0]
        return None

    def fact_table(self, tables: set[str]) -> str:
        """Of several tables, the one the others hang off (most links out)."""
        return max(sorted(tables), key=lambda t: len(self.index.joins_from(t)))

    def owner_of(self, table: TableEntry, context: set[str]) -> str | None:
        """A table in the question that links to ``table`` (flights for "distinct planes")."""
        for other in sorted(context):
            if other != table.sql_name and self.index.join_path(other, table.sql_name, 1):
                return other
        return None

    def best_measure(self, m: Mention, context: set[str], numeric: bool = True) -> ColumnEntry:
        """The column a measure phrase means; a tie the question cannot break is refused."""
        candidates = m.columns
        if numeric:
            candidates = [(c, s) for c, s in candidates if c.numeric or c.temporal] or candidates
        if not candidates:
            raise Refuse(f"I found no column for '{m.text}'.")
        best = candidates[0][1]
        top = [c for c, s in candidates if s >= best - 0.05]
        if len(top) > 1:
            # "units": quantity (a synonym, all its words) over unit_price (half its words)
            full = [c for c in top if covered(c, m.text)]
            top = full or top
        if len(top) > 1:
            in_context = [c for c in top if c.table in context]
            if len(in_context) == 1:
                return in_context[0]
            pool = in_context or top
            tables = {c.table for c in pool}
            if len(tables) > 1:
                # The same word in several tables: the one whose own columns the question
                # names most ("temperature at JFK" is in weather).
                scored = sorted(pool, key=lambda c: -self.table_support(c.table))
                if self.table_support(scored[0].table) > self.table_support(scored[1].table):
                    return scored[0]
            names = " or ".join(f"{c.name}" for c in pool)
            raise Refuse(
                f"'{m.text}' could mean {names}.",
                tuple(f"Ask about '{c.name.replace('_', ' ')}'." for c in pool[:4]),
            )
        return top[0]

    def table_support(self, table: str) -> int:
        """How much the question speaks of ``table`` (its name, its values)."""
        n = 0
        for m in self.p.mentions:
            if m.kind == "table" and m.tables and m.tables[0][0].sql_name == table:
                n += 2
            if any(h.table == table for h in m.values):
                n += 1
        return n

    def default_agg(self, col: ColumnEntry) -> str:
        """Sum for amounts and quantities, else the average (said as an assumption)."""
        words = {stem(w) for w in col.words} | set(col.words)
        if col.semantic == "currency" or words & ADDITIVE_WORDS:
            self.assume(f"{col.name} added up (sum)", 0.05)
            return "sum"
        self.assume(f"{col.name} averaged", 0.1)
        return "avg"
