"""Columns and values placed on the main table: join paths (told apart by the question's
words), the column a mention means, and filters on values and numbers."""

from __future__ import annotations

from typing import Any

from aiser_desktop.core.agent.rules import lexicon as lx
from aiser_desktop.core.agent.rules.context import (
    Context,
    Refuse,
    dim_rank,
    fits,
    plain_number,
    short,
    words_of,
)
from aiser_desktop.core.agent.rules.parse import Mention
from aiser_desktop.core.agent.rules.plan import ColRef, Filter, Step
from aiser_desktop.core.agent.rules.vocabulary import stem
from aiser_desktop.core.agent.schema_index import ColumnEntry


class Linking(Context):
    """Reaching columns of the main table and of linked tables."""

    def path_to(self, main: str, table: str, hint: set[str]) -> tuple[Step, ...] | None:
        """The join path from ``main`` to ``table``; several paths are told apart by the
        words of their link columns ("to" -> dest, "from" -> origin, or the column named)."""
        if table == main:
            return ()
        paths = self.index.join_path(main, table)
        if not paths:
            return None
        if len(paths) > 1:
            scored = []
            for path in paths:
                link = {stem(w) for c in path[0].columns for w in words_of(c)}
                score = len(link & hint)
                if hint & {stem(w) for w in lx.FROM_WORDS} and link & {
                    "origin",
                    "orig",
                    "src",
                    "source",
                    "from",
                }:
                    score += 2
                if hint & {stem(w) for w in lx.TO_WORDS} and link & {
                    "dest",
                    "destination",
                    "to",
                    "target",
                }:
                    score += 2
                scored.append((score, path))
            scored.sort(key=lambda sp: -sp[0])
            if scored[0][0] == scored[1][0]:
                names = " or ".join(p[0].columns[0] for _s, p in scored)
                raise Refuse(
                    f"{short(table)} is linked to {short(main)} in more than one way ({names}).",
                    (f"Say which one, e.g. 'by {scored[0][1][0].columns[0]}'.",),
                )
            paths = [scored[0][1]]
        return tuple(Step(j.table, j.columns, j.other, j.other_columns) for j in paths[0])

    def ref(self, main: str, col: ColumnEntry, hint: set[str]) -> ColRef | None:
        """The column reached from ``main`` (None when no link leads there)."""
        path = self.path_to(main, col.table, hint)
        if path is None:
            return None
        return ColRef(col.table, col.name, path)

    def pick_column(
        self,
        main: str,
        m: Mention,
        want: str,
        hint: set[str],
    ) -> ColRef:
        """The column a mention means, reachable from ``main``: its own table's first,
        then a linked table's; a tie the words cannot break is refused."""
        candidates = m.columns
        if m.qualifier:
            # "destination airport name": follow the named link.
            linked = []
            for q, _s in m.qualifier:
                for c, score in candidates:
                    join = [
                        j
                        for j in self.index.joins_from(q.table)
                        if j.columns == (q.name,) and j.other == c.table
                    ]
                    if join and q.table == main:
                        linked.append((score, -dim_rank(c) if want == "dim" else 0, c, join[0]))
            if linked:
                linked.sort(key=lambda x: (-x[0], -x[1]))
                _score, _rank, c, j = linked[0]
                step = Step(j.table, j.columns, j.other, j.other_columns)
                return ColRef(c.table, c.name, (step,))
        usable = [(c, s) for c, s in candidates if fits(c, want)] or candidates
        best = max(s for _c, s in usable)
        top = [c for c, s in usable if s >= best - 0.05]
        own = [c for c in top if c.table == main]
        if len(own) > 1 and want == "dim":
            ranked = sorted(own, key=dim_rank)
            if dim_rank(ranked[0]) < dim_rank(ranked[1]):
                own = ranked[:1]
        if len(own) > 1:
            names = ", ".join(c.name for c in own)
            raise Refuse(
                f"'{m.text}' could mean any of {names} in {short(main)}.",
                tuple(f"Ask about '{c.name.replace('_', ' ')}'." for c in own),
            )
        if own:
            return ColRef(main, own[0].name)
        for c in sorted(top, key=lambda c: dim_rank(c) if want == "dim" else 0):
            found = self.ref(main, c, hint)
            if found is not None:
                return found
        # A lower-scoring column of the main table or a linked one.
        for c, _s in usable:
            found = self.ref(main, c, hint)
            if found is not None:
                if c.table != main:
                    self.assume(f"'{m.text}' read as {short(c.table)}.{c.name}")
                return found
        tables = ", ".join(sorted({short(c.table) for c in top}))
        raise Refuse(
            f"'{m.text}' is in {tables}, which I cannot relate to {short(main)}.",
        )

    def filters(self, main: str, roles: dict[int, str], hint: set[str]) -> list[Filter]:
        """The filters named: values, ids, numbers and comparisons."""
        p = self.p
        found: dict[ColRef, list[Any]] = {}
        ops: dict[ColRef, str] = {}
        for k, role in roles.items():
            m = p.mentions[k]
            if role == "filter":
                ref, value = self.value_filter(main, m, hint)
                found.setdefault(ref, [])
                if value not in found[ref]:
                    found[ref].append(value)
                ops[ref] = "="
            elif role == "id":
                prev = p.mentions[k - 1]
                table = prev.tables[0][0]
                if table.sql_name == main:
                    key = table.primary_key[0] if table.primary_key else None
                    if key is None:
                        raise Refuse(f"{short(main)} has no key to look {m.text} up by.")
                    ref = ColRef(main, key)
                else:
                    fk = self.link_column(main, table.sql_name)
                    if fk is None:
                        raise Refuse(f"I cannot relate {short(table.sql_name)} to {short(main)}.")
                    ref = ColRef(main, fk)
                found[ref] = [int(m.number or 0)]
                ops[ref] = "="
            elif role == "equals":
                nxt = p.mentions[k + 1]
                ref = self.pick_column(main, nxt, "measure", hint)
                found[ref] = [plain_number(m.number)]
                ops[ref] = "="
                roles[k + 1] = "used"
        result = []
        for ref, values in found.items():
            op = ops[ref]
            result.append(Filter(ref, "in" if len(values) > 1 else op, tuple(values)))
        for cond in p.conds:
            if cond.column is None:
                raise Refuse(
                    f"I could not tell which column should be {cond.op} {plain_number(cond.value)}."
                )
            ref = self.pick_column(main, cond.column, "measure", hint)
            result.append(Filter(ref, cond.op, (plain_number(cond.value),)))
        return result

    def value_filter(self, main: str, m: Mention, hint: set[str]) -> tuple[ColRef, Any]:
        """The column a value of the data belongs to, reached from ``main``."""
        hits = m.values
        if m.kind == "partial":
            by_column: dict[tuple[str, str], set[str]] = {}
            for h in hits:
                by_column.setdefault((h.table, h.column), set()).add(h.value)
            single = {k: v for k, v in by_column.items() if len(v) == 1}
            if not single:
                named = sorted({h.value for h in hits})
                raise Refuse(
                    f"'{m.text}' matches several values; say which one.",
                    tuple(f"Ask about '{v}'." for v in named[:3]),
                )
            hits = [h for h in hits if (h.table, h.column) in single]
        prep = self.prep_before(m)
        direction = {prep} if prep else set()
        own = [h for h in hits if h.table == main]
        if len(own) > 1:
            # A value far more common in one column is that column's ("LGA" is an origin).
            own.sort(key=lambda h: -h.count)
            if own[0].count >= 20 * max(1, own[1].count):
                own = own[:1]
        if len(own) > 1:
            siblings = {
                (h.table, h.column)
                for x in self.p.mentions
                if x is not m and x.kind == "value"
                for h in x.values
            }
            shared = [h for h in own if (h.table, h.column) in siblings]
            if len(shared) == 1:
                own = shared
        if len(own) > 1:
            scored = []
            for h in own:
                col_words = {stem(w) for w in words_of(h.column)}
                score = len(col_words & hint)
                if prep in lx.FROM_WORDS and col_words & {
                    "origin",
                    "orig",
                    "src",
                    "source",
                    "from",
                }:
                    score += 2
                if prep in lx.TO_WORDS and col_words & {"dest", "destination", "to", "target"}:
                    score += 2
                scored.append((score, h))
            scored.sort(key=lambda sh: -sh[0])
            if scored[0][0] == scored[1][0]:
                names = " or ".join(h.column for _s, h in scored)
                raise Refuse(
                    f"'{m.text}' is a value of {names} in {short(main)}; say which.",
                    tuple(f"Ask 'where {h.column} is {h.value}'." for _s, h in scored[:3]),
                )
            own = [scored[0][1]]
        if own:
            hit = own[0]
            if m.kind == "partial":
                self.assume(f"'{m.text}' read as {hit.column} = '{hit.value}'", 0.15)
            return ColRef(main, hit.column), hit.value
        # In a linked table: the link is told apart by the preposition.
        table_preps = {
            self.prep_before(x)
            for x in self.p.mentions
            if x.kind == "table" and x.tables and x.tables[0][0].sql_name in {h.table for h in hits}
        }
        words = hint | {stem(w) for w in direction | table_preps if w}
        for h in hits:
            path = self.path_to(main, h.table, words)
            if path is not None:
                if m.kind == "partial":
                    self.assume(
                        f"'{m.text}' read as {short(h.table)}.{h.column} = '{h.value}'", 0.15
                    )
                return ColRef(h.table, h.column, path), h.value
        tables = ", ".join(sorted({short(h.table) for h in hits}))
        raise Refuse(f"'{m.text}' is in {tables}, which I cannot relate to {short(main)}.")
