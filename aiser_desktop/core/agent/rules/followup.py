"""Follow-ups: "and by month?", "only for 2013", "what about the top 5?", "and at LGA?".

A follow-up is read like any question, then laid over the last interpreted one: what it
names replaces the matching part (a filter on the same column, the grouping, the measure,
the ranking) and everything else is kept.
"""

from __future__ import annotations

from aiser_desktop.core.agent.rules.context import measurable
from aiser_desktop.core.agent.rules.periods import Period
from aiser_desktop.core.agent.rules.plan import Dimension, Measure, Plan
from aiser_desktop.core.agent.rules.resolve import Refuse, Resolved, Resolver


def _merge_period(old: Period | None, new: Period | None) -> Period | None:
    if new is None:
        return old
    if old is None or new.start or new.end or old.start or old.end:
        return new
    return Period(
        years=new.years or old.years,
        months=new.months or (old.months if not new.years or old.months else ()),
        day=new.day if new.day is not None else (old.day if not new.months else None),
        label=" ".join(x for x in (new.label, old.label) if x),
    )


def refine(resolver: Resolver, previous: Plan) -> Resolved:
    """The previous plan changed by what the follow-up says."""
    p = resolver.p
    resolver.check_unknowns()
    qualifiers = resolver.find_qualifiers()
    roles = resolver.roles(qualifiers)
    plan = Plan.from_dict(previous.to_dict())
    main = plan.table
    hint = resolver.words
    measure = plan.measures[0] if plan.measures else Measure("count")

    # The measure: a new column, a new aggregate, or both.
    new_measure = [p.mentions[k] for k, r in roles.items() if r in ("measure", "rank_measure")]
    if not new_measure:
        # "what about arrival delay?": a number named alone replaces the measure
        new_measure = [
            p.mentions[k]
            for k, r in roles.items()
            if r == "context"
            and p.mentions[k].kind == "column"
            and any(measurable(c) for c, _s in p.mentions[k].columns[:1])
        ]
    aggs = resolver.cues("agg")
    if new_measure:
        m = new_measure[0]
        if m.kind == "table":
            measure = Measure("count")
        else:
            ref = resolver.pick_column(main, m, "measure", hint)
            agg = aggs[0].value if aggs else (measure.agg if measure.column else None)
            if agg is None:
                col = resolver.index.column(ref.table, ref.column)
                agg = resolver.default_agg(col) if col is not None else "avg"
            measure = Measure(agg, ref)
    elif aggs and measure.column is not None:
        measure = Measure(aggs[0].value, measure.column)
    counted = [p.mentions[k] for k, r in roles.items() if r in ("count", "count_rank")]
    if counted and counted[0].kind == "table" and counted[0].tables[0][0].sql_name == main:
        measure = Measure("count")
    plan.measures = [measure]

    # Groupings named now replace the old ones.
    dims = resolver.dimensions(main, roles, measure)
    if p.time.grain:
        dims.insert(0, Dimension(None, p.time.grain))
    if dims:
        if any(d.grain for d in dims) and plan.order:
            plan.order, plan.limit, plan.exclude_null_groups = "", None, False
        plan.dimensions = dims

    # Filters: a new value of a column replaces its old one; others are added.
    for f in resolver.filters(main, roles, hint):
        kept = [old for old in plan.filters if old.column != f.column]
        kept.append(f)
        plan.filters = kept

    # Time: a new year replaces the year, a new month the month.
    new_time = p.time
    if new_time.periods or new_time.grain:
        probe = Plan(table=main, measures=[measure])
        resolver.apply_time(probe)
        plan.axis = probe.axis or plan.axis
        if probe.compare:
            plan.compare, plan.period = probe.compare, None
        elif probe.period is not None:
            plan.period = _merge_period(plan.period, probe.period)
        if probe.dimensions and not dims:
            plan.dimensions = [d for d in probe.dimensions if d.grain] + [
                d for d in plan.dimensions if not d.grain
            ]

    # Ranking: "the top 10", "and the lowest?".
    tops = resolver.cues("top")
    supers = resolver.cues("super")
    limits = [int(p.mentions[k].number or 0) for k, r in roles.items() if r == "limit"]
    if tops or supers or limits:
        direction = ""
        limit = plan.limit
        for cue in tops:
            direction, n = cue.value
            limit = n or limit or 10
        for cue in supers:
            direction = direction or cue.value[0]
        if limits:
            limit = limits[0]
        if direction in ("best", "worst"):
            direction = "desc" if direction == "worst" else "asc"
        if plan.dimensions:
            plan.order = direction or plan.order or "desc"
            plan.limit = limit
            plan.exclude_null_groups = limit is not None
        elif measure.column is not None and not aggs:
            plan.measures = [Measure("max" if direction == "desc" else "min", measure.column)]
    if not plan.measures:
        raise Refuse("I could not tell what to measure.")
    resolver.assume("read as a refinement of the previous question", 0.05)
    return Resolved(plan, resolver.assumptions, max(0.05, round(resolver.confidence, 2)))
