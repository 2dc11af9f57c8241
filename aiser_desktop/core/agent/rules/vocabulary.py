"""The words of analytics questions: a small general thesaurus, abbreviations found in
column names, function words, and how names, values and questions are split into words.

Shared by the :class:`~aiser_desktop.core.agent.schema_index.SchemaIndex` (which matches
names and values with it) and the rules interpreter. General English only: the names of the
data come from the catalog.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence


def words(text: str) -> frozenset[str]:
    """A set of words written as one string (word lists stay compact)."""
    return frozenset(text.split())


_WORD_RE = re.compile(r"[a-z]+|[0-9]+")
_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")
_EDGE_PUNCT = "\"'`.,;:!?()[]{}<>“”‘’"


# A small, general thesaurus of analytics words (never the names of one data set): words in a
# group stand for each other when names are matched.
SYNONYM_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(g.split())
    for g in (
        "delay late lateness tardiness",
        "revenue sales turnover income amount value",
        "cost expense",
        "profit margin earnings",
        "quantity qty units volume",
        "customer client buyer purchaser shopper",
        "product item article goods merchandise",
        "order purchase transaction",
        "carrier airline operator",
        "plane aircraft airplane",
        "employee staff worker personnel",
        "country nation",
        "city town",
        "region territory",
        "category kind class type",
        "manufacturer maker make",
        "brand marque",
        "distance miles mileage km kilometers kilometres",
        "speed velocity",
        "altitude elevation",
        "name title",
        "origin source",
        "destination target",
        "arrival arrive arriving",
        "departure depart departing leave",
        "seats capacity",
        "status state",
        "discount rebate markdown",
        "shipping delivery freight postage shipment",
        "signup registration registered",
        "email mail",
        "observation measurement reading record row entry",
        "segment tier",
        "precipitation rain rainfall",
        "department division",
        "salary pay wage compensation",
        "score rating grade",
        "store shop outlet branch",
        "supplier vendor provider",
        "user account member",
        "price cost",
        "phone telephone",
        "duration length",
        "date day",
    )
)

# Abbreviations found in column names, and what they stand for.
_ABBREVIATION_PAIRS = """
dep=departure arr=arrival dest=destination orig=origin qty=quantity amt=amount
num=number nr=number no=number nbr=number cnt=count desc=description addr=address
dt=date ts=timestamp temp=temperature precip=precipitation visib=visibility
vis=visibility humid=humidity dewp=dewpoint alt=altitude elev=elevation lat=latitude
lon=longitude lng=longitude tz=timezone tzone=timezone avg=average pct=percent
perc=percent cat=category cust=customer prod=product emp=employee dept=department
mgr=manager acct=account txn=transaction trx=transaction sched=scheduled yr=year
mo=month wk=week hr=hour sec=second val=value rev=revenue qtr=quarter tel=telephone
sku=product pax=passengers wt=weight ht=height dist=distance dur=duration loc=location
cty=city st=state ctry=country inv=invoice pmt=payment ship=shipping
"""
ABBREVIATIONS: dict[str, str] = dict(pair.split("=", 1) for pair in _ABBREVIATION_PAIRS.split())

# Function words: they name nothing in a schema and are never matched to names or values.
STOPWORDS: frozenset[str] = words(
    """a an the of in on at to for from by with without and or but
                                not nor is are was were be been being am do does did done
                                has have had having what which who whom whose when where why
                                how this that these those there here it its they them their
                                we our us you your i me my he she his her as than then so
                                such very too also just only into onto about again once any
                                both each some own same can could should would will shall
                                may might must let lets show give tell list find get see
                                display please want need know many much ever while via
                                around within among"""
)

# Ordinary English words that are also short codes in some data ("TOP", "DAY", "NEW" are
# airports): typed in lower case, they are taken as words, never as the code.
COMMON_WORDS: frozenset[str] = STOPWORDS | words(
    """all and any are top bottom number count total
                                               average mean sum per every new day days week
                                               weeks month months year years quarter time
                                               times date data table value one two three
                                               four five six ten first second third fourth
                                               last next previous current now high low big
                                               small long short good bad best worst most
                                               least more less max min over under up down
                                               out off above below after before since until
                                               ago far near was has had not yes no ok arm
                                               art ask bag bar bed box bus car cat cut dog
                                               dry due ear eat end eye fan far fat few fit
                                               fly fun gas get got gun hat hot ice ill job
                                               key kid law lay leg let lie lip lot man map
                                               may men mix mud net nor nut odd oil old own
                                               pan pay pen pet pin pop pot put raw red rid
                                               row run sad say sea see set sit six sky son
                                               sun tax tea ten tie tip toe ton too toy try
                                               two use van war was way web wet who why win
                                               yet you zoo also back been both call came
                                               come did does done each even fast feel fine
                                               form from full give goes gone half hand hard
                                               have head hear help here hold home hope hour
                                               into just keep kind know land late lead left
                                               life like line live look made main make mark
                                               meet mind miss move much must name near need
                                               note once only open part pass past pick plan
                                               play pull push rate read real rest ride rise
                                               road rock role room rule safe sale same save
                                               seat seem self sell send ship shop show side
                                               sign site size slow some soon sort spot stay
                                               step stop such sure take talk team tell term
                                               test than that them then they this town tree
                                               trip true turn type unit upon used very view
                                               wait walk wall want warm wash week well went
                                               were what when whom wide wife wild will wind
                                               wish with word work year your zone"""
)

# ---------------------------------------------------------------------------------- words


def split_name(name: str) -> list[str]:
    """The words of an identifier: "dep_delay" -> [dep, delay]; "CustomerID" -> [customer,
    id]; "tzone" -> [tzone]."""
    spaced = _CAMEL_RE.sub(r"\1 \2", name)
    return _WORD_RE.findall(spaced.lower())


def stem(word: str) -> str:
    """A light, consistent stem: plurals and verb endings off, so "delays", "delayed" and
    "delay" meet, and so do "operate", "operated" and "operating"."""
    w = word.lower()
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "xes", "ches", "shes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    elif w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] in "lptmngrd":
        w = w[:-1]  # "cancell" -> "cancel", "shipp" -> "ship"
    if w.endswith("e") and len(w) > 4:  # "late" stays "late", never "lat"
        w = w[:-1]
    return w


def _build_thesaurus() -> dict[str, set[str]]:
    """stem -> stems of its synonyms and expansions (abbreviations both ways)."""
    related: dict[str, set[str]] = defaultdict(set)
    for group in SYNONYM_GROUPS:
        stems = {stem(w) for w in group}
        for s in stems:
            related[s] |= stems - {s}
    for short, long in ABBREVIATIONS.items():
        a, b = stem(short), stem(long)
        related[a].add(b)
        related[b].add(a)
        # An abbreviation shares its expansion's synonyms ("temp" -> "temperature" -> ...).
        for other in list(related[b]):
            if other != a:
                related[a].add(other)
    return dict(related)


_THESAURUS = _build_thesaurus()


def related_terms(word: str) -> dict[str, float]:
    """The terms a word stands for, with a weight: itself 1.0, an abbreviation or its
    expansion 0.9, a synonym 0.75."""
    s = stem(word)
    terms = {s: 1.0}
    abbreviation = ABBREVIATIONS.get(word.lower())
    if abbreviation:
        terms[stem(abbreviation)] = 0.9
    for other in _THESAURUS.get(s, ()):
        terms.setdefault(other, 0.75)
    return terms


_SHORT_FORMS: dict[str, set[str]] = defaultdict(set)
for _short, _long in ABBREVIATIONS.items():
    _SHORT_FORMS[stem(_long)].add(_short)


def compounds(first: str, second: str) -> list[str]:
    """Two words written as one, as names often do: "tail number" -> tailnumber, tailnum;
    "time zone" -> timezone; "dew point" -> dewpoint."""
    forms_a = {first, stem(first)}
    forms_b = {second, stem(second), *_SHORT_FORMS.get(stem(second), ())}
    return sorted({a + b for a in forms_a for b in forms_b})


def normalize_value(text: str) -> str:
    """How values and question words are compared: lower case, single spaces, no punctuation
    at word edges ("United Air Lines Inc." -> "united air lines inc")."""
    return " ".join(w for w in (t.strip(_EDGE_PUNCT) for t in text.lower().split()) if w)


def tokenize(text: str) -> list[str]:
    """The question's words as typed, punctuation at their edges removed; inner punctuation
    kept, so "America/Chicago", "Turbo-jet" and "2013-07-04" stay whole."""
    words = []
    for raw in text.split():
        word = raw.strip(_EDGE_PUNCT)
        if word.endswith("'s"):
            word = word[:-2]
        if word:
            words.append(word)
    return words


def value_fits(value: str, span: Sequence[str]) -> bool:
    """Whether the question's words ``span`` may stand for the stored ``value``.

    A short code stored in capitals ("UA", "JFK", "9E") matches a word typed the same way,
    or typed in lower case if it is no ordinary English word ("jfk" yes; "top", "day",
    "and" never, though some airports have those codes). Other values match whole.
    """
    if len(span) > 1:
        return True
    word = span[0]
    code = len(value) <= 4 and value.upper() == value and any(ch.isalpha() for ch in value)
    if code:
        if word == value:
            return len(value) >= 2
        return len(word) >= 3 and word.lower() not in COMMON_WORDS
    return word.lower() not in STOPWORDS
