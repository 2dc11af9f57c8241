"""Periods and time grains in a question: "in July 2013", "Q1 vs Q2", "between March and May",
"last summer", "since October", "by month", "weekly", "which day".

:func:`parse_time` marks the words it reads and returns :class:`TimeInfo`; periods that depend
on the data ("last summer": the latest summer the data has) are made concrete later by
``periods.materialize``, given the dates the data covers.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace

from aiser_desktop.core.agent.rules.periods import Period, quarter

MONTHS: dict[str, int] = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
# Month words that are also ordinary words: months only next to a number or a preposition.
_SHY_MONTHS = {"may", "mar", "jan", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "feb", "apr"}
SEASONS: dict[str, tuple[int, ...]] = {
    "spring": (3, 4, 5),
    "summer": (6, 7, 8),
    "autumn": (9, 10, 11),
    "fall": (9, 10, 11),
    "winter": (12, 1, 2),
}
ORDINALS: dict[str, int] = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
}
GRAIN_WORDS: dict[str, str] = {
    "day": "day",
    "days": "day",
    "date": "day",
    "dates": "day",
    "daily": "day",
    "week": "week",
    "weeks": "week",
    "weekly": "week",
    "month": "month",
    "months": "month",
    "monthly": "month",
    "quarter": "quarter",
    "quarters": "quarter",
    "quarterly": "quarter",
    "year": "year",
    "years": "year",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
    "hour": "hour",
    "hours": "hour",
    "hourly": "hour",
    "weekday": "weekday",
    "weekdays": "weekday",
}
_ADJECTIVE_GRAINS = {
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
    "annual",
    "annually",
    "hourly",
}
_GRAIN_CUES = {"by", "per", "each", "every"}
# "busiest day", "worst month": a superlative before a grain ranks the periods.
_RANKING_WORDS = {
    "busiest",
    "quietest",
    "best",
    "worst",
    "highest",
    "lowest",
    "most",
    "least",
    "top",
    "biggest",
    "largest",
    "smallest",
    "peak",
}
_RANGE_OPEN = {
    "since": "since",
    "after": "after",
    "before": "before",
    "until": "until",
    "till": "until",
    "through": "until",
    "thru": "until",
    "from": "since",
}
_ORDINAL_DAY = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^q([1-4])$")
_HALF = re.compile(r"^h([12])$")
_COMPARATOR_BEFORE = {
    "over",
    "above",
    "under",
    "below",
    "than",
    "least",
    "most",
    "exactly",
    "=",
    ">",
    "<",
    ">=",
    "<=",
    "top",
    "bottom",
    "first",
    "customer",
    "order",
    "id",
    "number",
    "no",
    "#",
}


@dataclass
class TimeInfo:
    """What a question says about time.

    Attributes:
        periods: The periods named, in order.
        link: How they are joined: "range" (between/from..to), "list" (and, or, vs).
        grain: The time grain asked for ("day", "week", "month", "quarter", "year",
            "hour", "weekday"), or None.
        which: The grain came as "which month" (ranking periods), not "by month".
        trend: "over time" or "trend" was asked.
        compare: Periods were set against each other ("Q1 vs Q2", "compared with").
        used: Indexes of the words read here.
    """

    periods: list[Period] = field(default_factory=list)
    link: str = ""
    grain: str | None = None
    which: bool = False
    trend: bool = False
    compare: bool = False
    used: set[int] = field(default_factory=set)


def _year(word: str) -> int | None:
    if word.isdigit() and len(word) == 4 and 1900 <= int(word) <= 2100:
        return int(word)
    return None


def _day(word: str) -> int | None:
    m = _ORDINAL_DAY.match(word)
    if m and 1 <= int(m.group(1)) <= 31:
        return int(m.group(1))
    return None


class _Reader:
    """Reads periods from the words, marking what it used."""

    def __init__(self, words: list[str]) -> None:
        self.w = words
        self.info = TimeInfo()

    def at(self, i: int) -> str:
        return self.w[i] if 0 <= i < len(self.w) else ""

    def use(self, *indexes: int) -> None:
        self.info.used.update(indexes)

    def is_month(self, i: int) -> int | None:
        word = self.at(i)
        month = MONTHS.get(word)
        if month is None:
            return None
        if word in _SHY_MONTHS and word != "may" and len(word) == 3:
            return month  # "jul", "dec": short forms are not words
        if word == "may" or word == "march":
            near = {self.at(i - 1), self.at(i + 1)}
            prepositions = {
                "in",
                "of",
                "since",
                "until",
                "between",
                "and",
                "to",
                "from",
                "through",
                "before",
                "after",
                "during",
                "vs",
                "versus",
                "or",
            }
            if not (near & prepositions or _year(self.at(i + 1)) or _day(self.at(i + 1))):
                return None
        return month

    def year_after(self, i: int) -> tuple[int | None, int]:
        """A year at i (or after "of"/","), and the index after it."""
        j = i + 1 if self.at(i) in ("of", ",") else i
        y = _year(self.at(j))
        return (y, j + 1) if y else (None, i)

    def atom(self, i: int) -> tuple[Period, int] | None:
        """The period starting at word i, and the index after it."""
        word = self.at(i)
        if m := _ISO_DAY.match(word):
            iso = (int(m.group(1)),), (int(m.group(2)),), int(m.group(3))
            return Period(iso[0], iso[1], iso[2], label=word), i + 1
        if (m := _ISO_MONTH.match(word)) and 1 <= int(m.group(2)) <= 12:
            return Period((int(m.group(1)),), (int(m.group(2)),), label=word), i + 1
        month = self.is_month(i)
        if month is not None:
            j = i + 1
            day: int | None = None
            if (d := _day(self.at(j))) is not None and not _year(self.at(j)):
                day, j = d, j + 1
            elif (d := _day(self.at(i - 1))) is not None and self.at(i - 2) != "top":
                day = d  # "4 July": the day was before; the caller skipped it
            y, j = self.year_after(j)
            label = calendar.month_name[month] + (f" {day}" if day else "") + (f" {y}" if y else "")
            return Period((y,) if y else (), (month,), day, label=label), j
        if m := _QUARTER.match(word):
            q = int(m.group(1))
            y, j = self.year_after(i + 1)
            return quarter(q, y), j
        if (y := _year(word)) and (m := _QUARTER.match(self.at(i + 1))):
            return quarter(int(m.group(1)), y), i + 2
        if word in ORDINALS and self.at(i + 1) in ("quarter", "qtr"):
            y, j = self.year_after(i + 2)
            return quarter(ORDINALS[word], y), j
        if word == "quarter" and self.at(i + 1).isdigit() and 1 <= int(self.at(i + 1)) <= 4:
            y, j = self.year_after(i + 2)
            return quarter(int(self.at(i + 1)), y), j
        if (m := _HALF.match(word)) or (word in ("first", "second") and self.at(i + 1) == "half"):
            h = int(m.group(1)) if m else ORDINALS[word]
            y, j = self.year_after(i + 1 if m else i + 2)
            months = tuple(range(1, 7)) if h == 1 else tuple(range(7, 13))
            label = ("first" if h == 1 else "second") + " half" + (f" of {y}" if y else "")
            return Period((y,) if y else (), months, label=label), j
        if word in SEASONS:
            y, j = self.year_after(i + 1)
            return Period((y,) if y else (), SEASONS[word], label=word + (f" {y}" if y else "")), j
        if (y := _year(word)) and not self._numeric_context(i):
            return Period((y,), label=str(y)), i + 1
        return None

    def _numeric_context(self, i: int) -> bool:
        """A number that is a quantity, not a year ("more than 2000 miles", "top 2000")."""
        before = self.at(i - 1)
        after = self.at(i + 1)
        units = {
            "miles",
            "mile",
            "km",
            "minutes",
            "seats",
            "rows",
            "dollars",
            "units",
            "feet",
            "meters",
            "hours",
            "items",
            "flights",
            "orders",
        }
        return before in _COMPARATOR_BEFORE or after in units

    def relative(self, i: int) -> tuple[Period, int] | None:
        word, nxt = self.at(i), self.at(i + 1)
        if word in ("last", "past", "previous", "recent"):
            if nxt.isdigit() and GRAIN_WORDS.get(self.at(i + 2)) in (
                "day",
                "week",
                "month",
                "year",
                "quarter",
            ):
                unit = GRAIN_WORDS[self.at(i + 2)]
                return Period(
                    relative=f"last_n_{unit}:{int(nxt)}", label=f"last {nxt} {unit}s"
                ), i + 3
            if GRAIN_WORDS.get(nxt) in ("day", "week", "month", "year", "quarter"):
                unit = GRAIN_WORDS[nxt]
                return Period(relative=f"last_{unit}", label=f"last {unit}"), i + 2
            if nxt in SEASONS:
                months = ",".join(str(m) for m in SEASONS[nxt])
                return Period(relative=f"season:{months}", label=f"last {nxt}"), i + 2
        if word in ("this", "current") and GRAIN_WORDS.get(nxt) in (
            "year",
            "month",
            "quarter",
            "week",
        ):
            unit = GRAIN_WORDS[nxt]
            return Period(relative=f"this_{unit}", label=f"this {unit}"), i + 2
        if word == "ytd" or (word == "year" and nxt == "to" and self.at(i + 2) == "date"):
            return Period(relative="ytd", label="year to date"), i + (1 if word == "ytd" else 3)
        if word in ("today", "yesterday"):
            return Period(relative=f"last_n_day:{1 if word == 'today' else 2}", label=word), i + 1
        return None

    def read(self) -> TimeInfo:
        info = self.info
        i = 0
        pending_open = ""
        pending_range = False
        while i < len(self.w):
            word = self.at(i)
            # Grains: "monthly", "by month", "per day", "which week", "day of week".
            if word in ("over", "across") and self.at(i + 1) == "time":
                info.trend = True
                self.use(i, i + 1)
                i += 2
                continue
            if word in ("trend", "trends", "evolution", "evolve", "evolved"):
                info.trend = True
                self.use(i)
                i += 1
                continue
            if word in _ADJECTIVE_GRAINS:
                info.grain = GRAIN_WORDS[word]
                self.use(i)
                i += 1
                continue
            if (
                word in ("day", "days")
                and self.at(i + 1) == "of"
                and (
                    self.at(i + 2) == "week"
                    or (self.at(i + 2) == "the" and self.at(i + 3) == "week")
                )
            ):
                end = i + 3 if self.at(i + 2) == "week" else i + 4
                info.grain = "weekday"
                info.which = info.which or self.at(i - 1) in _RANKING_WORDS | {"which", "what"}
                self.use(*range(i, end))
                i = end
                continue
            if (
                word in _RANKING_WORDS
                and GRAIN_WORDS.get(self.at(i + 1))
                and not (self.at(i + 2) == "of" and self.at(i + 3) in ("week", "the"))
                and not _year(self.at(i + 2))
            ):
                info.grain = GRAIN_WORDS[self.at(i + 1)]
                info.which = True
                self.use(i + 1)  # the superlative itself is read as a cue later
                i += 2
                continue
            if word in _GRAIN_CUES | {"which", "what", "for"} or (
                word in ("each", "every") and self.at(i - 1) in ("for", "in")
            ):
                j = i + 1
                if self.at(j) in ("each", "every"):
                    j += 1
                if (
                    self.at(j) in ("day", "days")
                    and self.at(j + 1) == "of"
                    and self.at(j + 2) in ("week", "the")
                ):
                    end = j + 3 if self.at(j + 2) == "week" else j + 4
                    info.grain = "weekday"
                    info.which = word in ("which", "what")
                    self.use(*range(i, end))
                    i = end
                    continue
                grain = GRAIN_WORDS.get(self.at(j))
                a_year = grain == "year" and _year(self.at(j + 1))
                cued = word != "for" or j > i + 1
                if grain and cued and not self.is_month(j + 1) and not a_year:
                    info.grain = grain
                    info.which = word in ("which", "what")
                    self.use(*range(i, j + 1))
                    if self.at(j + 1) == "of" and self.at(j + 2) == "day":
                        self.use(j + 1, j + 2)  # "hour of day"
                        j += 2
                    i = j + 1
                    continue
            if word in _RANGE_OPEN and (self.atom(i + 1) or self.atom(i + 2)):
                start = i + 1 if self.atom(i + 1) else i + 2
                if word == "from":
                    pending_range = True
                else:
                    pending_open = _RANGE_OPEN[word]
                self.use(*range(i, start))
                i = start
                continue
            if word == "between" and self.atom(i + 1):
                pending_range = True
                self.use(i)
                i += 1
                continue
            rel = self.relative(i)
            if rel:
                period, j = rel
                info.periods.append(period)
                self.use(*range(i, j))
                i = j
                continue
            found = self.atom(i)
            if found is None and _day(word) is not None and self.is_month(i + 1) is not None:
                found = self.atom(i + 1)
                if found:
                    self.use(i)
                    i += 1
            if found:
                period, j = found
                if pending_open:
                    period = replace(period, relative=pending_open)
                    pending_open = ""
                info.periods.append(period)
                self.use(*range(i, j))
                nxt = self.at(j)
                if pending_range and nxt in ("and", "to", "until", "through", "till", "-"):
                    info.link = "range"
                    self.use(j)
                    j += 1
                    pending_range = False
                elif nxt in ("to", "-", "through", "until") and self.atom(j + 1):
                    info.link = "range"
                    self.use(j)
                    j += 1
                elif (
                    nxt in ("and", "or", "vs", "versus", "against", ",") and self.atom(j + 1)
                ) or (nxt in ("vs.", "v")):
                    info.link = info.link or "list"
                    info.compare = info.compare or nxt in ("vs", "versus", "against", "vs.", "v")
                    self.use(j)
                    j += 1
                elif nxt in ("compared", "relative") and self.at(j + 1) in ("to", "with"):
                    info.link = info.link or "list"
                    info.compare = True
                    self.use(j, j + 1)
                    j += 2
                i = j
                continue
            i += 1
        return info


def parse_time(words: list[str]) -> TimeInfo:
    """The periods and grain of a question, from its lower-case words."""
    return _Reader(words).read()
