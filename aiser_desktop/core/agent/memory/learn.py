"""What a person says about themselves, read without a model.

"Our fiscal year starts in April", "use euros", "I prefer bar charts", "always exclude
cancelled flights" are preferences; "revenue means sum(price*qty)" and "active customer:
ordered in the last 90 days" are glossary terms. A sentence that starts with "no," or
"actually" is a correction: it replaces what was learned before, and is recorded as such.
Anything else (a question) is left alone, so a plain question is never taken for a statement:
each reading is anchored on words a question does not use that way.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

CURRENCIES = {
    "EUR": ("euro", "euros", "eur", "€"),
    "USD": ("dollar", "dollars", "usd", "$", "us dollars"),
    "GBP": ("pound", "pounds", "gbp", "£", "sterling"),
    "JPY": ("yen", "jpy", "¥"),
    "CHF": ("franc", "francs", "chf", "swiss francs"),
    "INR": ("rupee", "rupees", "inr", "₹"),
    "CNY": ("yuan", "renminbi", "cny", "rmb"),
    "CAD": ("canadian dollars", "cad"),
    "AUD": ("australian dollars", "aud"),
    "SEK": ("kronor", "krona", "sek"),
}
UNITS = {
    "metric": ("metric", "kilometres", "kilometers", "km", "kilograms", "kg", "celsius"),
    "imperial": ("imperial", "miles", "pounds weight", "lbs", "fahrenheit", "feet"),
}
CHART_KINDS = ("bar", "line", "pie", "area", "scatter", "table")

KEYS = {
    "fiscal_year_start": "Fiscal year starts",
    "currency": "Currency",
    "units": "Units",
    "chart_kind": "Preferred chart",
    "default_filter": "Default filter",
}

_QUESTION_WORDS = re.compile(
    r"^(what|which|who|whom|how|why|when|where|show|list|give|count|is|are|do|does|did|can|"
    r"could|would|should|top|average|total|sum|number)\b",
    re.I,
)
_CORRECTION = re.compile(r"^\s*(?:no[,.!]?|nope[,.]?|actually[,]?|correction[:,]?)\s+", re.I)
_POLITE = re.compile(r"^\s*(?:please|remember( that)?|note( that)?|fyi[:,]?)\s+", re.I)

_FISCAL = re.compile(r"\b(?:fiscal|financial|business)\s+year\b|\bfy\b", re.I)
_FISCAL_VERB = re.compile(r"\b(?:starts?|begins?|starting|beginning|runs?|is|=)\b", re.I)
_CURRENCY = re.compile(
    r"^(?:(?:always\s+)?use|we\s+use|work\s+in|report\s+in|show\s+(?:amounts|money|prices|values|"
    r"costs|revenue)\s+in|(?:our\s+|the\s+)?currency\s+is|(?:amounts|prices|money|values)\s+are\s+"
    r"in)\s+(?P<what>.+?)\.?$",
    re.I,
)
_UNITS = re.compile(
    r"^(?:(?:always\s+)?use|we\s+use|show\s+(?:distances|weights|temperatures|units)\s+in|"
    r"(?:distances|weights|temperatures|units)\s+(?:are\s+)?in)\s+(?P<what>.+?)(?:\s+units)?\.?$",
    re.I,
)
_CHART = re.compile(
    r"^(?:i\s+)?(?:prefer|like|always\s+use|always\s+show|use|show\s+me)\s+(?P<kind>"
    + "|".join(CHART_KINDS)
    + r")\s+charts?\b",
    re.I,
)
_DEFAULT_FILTER = re.compile(
    r"^(?:by\s+default|always|from\s+now\s+on)\s*,?\s+(?P<what>(?:only|exclude|leave\s+out|"
    r"ignore|skip|without)\b.+?)\.?$",
    re.I,
)
_REFINES = re.compile(r"^(?:by|per|for|in|from|to|where|with|vs|versus|and|or|top|each)\b", re.I)
_TERM = r"(?P<term>[A-Za-z][\w' \-]{0,60}?)"
_GLOSSARY = (
    re.compile(
        rf"^[\"']?{_TERM}[\"']?\s+(?:means|is\s+defined\s+as|stands\s+for)\s+(?P<def>.+)$", re.I
    ),
    re.compile(rf"^define\s+[\"']?{_TERM}[\"']?\s+as\s+(?P<def>.+)$", re.I),
    re.compile(rf"^(?:by|when\s+i\s+say)\s+[\"']?{_TERM}[\"']?,?\s+i\s+mean\s+(?P<def>.+)$", re.I),
    re.compile(rf"^[\"']?{_TERM}[\"']?\s*(?::|:=)\s+(?P<def>.+)$", re.I),
)


@dataclass(frozen=True)
class Learned:
    """What a sentence taught.

    Attributes:
        preferences: Preference keys (see ``KEYS``) and their new values.
        terms: Glossary terms and their definitions.
        correction: The sentence corrects something learned before.
        reply: What the agent says back ("Noted: ...").
    """

    preferences: dict[str, str] = field(default_factory=dict)
    terms: tuple[tuple[str, str], ...] = ()
    correction: bool = False
    reply: str = ""


def read_statement(text: str) -> Learned | None:
    """What ``text`` teaches, or None when it is a question (or teaches nothing)."""
    sentence = " ".join(text.split()).strip()
    if not sentence or sentence.endswith("?"):
        return None
    correction = bool(_CORRECTION.match(sentence))
    sentence = _CORRECTION.sub("", sentence)
    sentence = _POLITE.sub("", sentence).strip()
    sentence = re.sub(r"^(?:that\s+)", "", sentence, flags=re.I)
    if not sentence:
        return None
    fiscal = _fiscal(sentence)
    if fiscal is not None:
        month = calendar.month_name[fiscal]
        reply = (
            f"Noted: your fiscal year starts in {month}. 'This year', 'year to date' and "
            "'last year' now mean fiscal years."
            if fiscal != 1
            else "Noted: your fiscal year is the calendar year."
        )
        return Learned({"fiscal_year_start": str(fiscal)}, correction=correction, reply=reply)
    for reader in (_currency, _units, _chart, _default_filter):
        found = reader(sentence)
        if found is not None:
            key, value, reply = found
            return Learned({key: value}, correction=correction, reply=reply)
    if _QUESTION_WORDS.match(sentence):
        return None
    for pattern in _GLOSSARY:
        match = pattern.match(sentence)
        if match is None:
            continue
        term = match.group("term").strip(" '\"")
        definition = match.group("def").strip().rstrip(".")
        if not term or not definition or _QUESTION_WORDS.match(term):
            continue
        if pattern is _GLOSSARY[-1] and _REFINES.match(definition):
            continue  # "flights: by carrier" is a question, not a definition
        return Learned(
            terms=((term, definition),),
            correction=correction,
            reply=f"Noted: '{term}' means {definition}. I will use it in answers.",
        )
    return None


def _fiscal(sentence: str) -> int | None:
    if not (_FISCAL.search(sentence) and _FISCAL_VERB.search(sentence)):
        return None
    if _QUESTION_WORDS.match(sentence) and not sentence.lower().startswith(("our", "the")):
        return None
    if re.search(r"\bcalendar\s+year\b", sentence, re.I):
        return 1
    for word in re.findall(r"[A-Za-z]+", sentence):
        low = word.lower()
        if low == "may" and word != "May":  # "it may start", not the month
            continue
        if low in MONTHS:
            return MONTHS[low]
    return None


def _currency(sentence: str) -> tuple[str, str, str] | None:
    match = _CURRENCY.match(sentence)
    if match is None:
        return None
    what = match.group("what").lower().strip()
    for code, names in CURRENCIES.items():
        if what in names or what == code.lower():
            return "currency", code, f"Noted: amounts are in {code}."
    return None


def _units(sentence: str) -> tuple[str, str, str] | None:
    match = _UNITS.match(sentence)
    if match is None:
        return None
    what = match.group("what").lower().strip()
    for system, names in UNITS.items():
        if what in names:
            return "units", system, f"Noted: {system} units."
    return None


def _chart(sentence: str) -> tuple[str, str, str] | None:
    match = _CHART.match(sentence)
    if match is None:
        return None
    kind = match.group("kind").lower()
    return "chart_kind", kind, f"Noted: {kind} charts when they fit the result."


def _default_filter(sentence: str) -> tuple[str, str, str] | None:
    match = _DEFAULT_FILTER.match(sentence)
    if match is None:
        return None
    what = match.group("what").strip()
    return "default_filter", what, f"Noted: by default, {what}."
