"""The words that give a question its shape: aggregates, groupings, rankings, comparisons,
periods. General English analytics vocabulary only; the names of the data come from the
catalog (see ``schema_index``)."""

from __future__ import annotations

from aiser_desktop.core.agent.rules.vocabulary import words

# Aggregates, by the word that asks for them.
AGGREGATES: dict[str, str] = {
    "average": "avg",
    "avg": "avg",
    "mean": "avg",
    "typical": "avg",
    "total": "sum",
    "sum": "sum",
    "overall": "sum",
    "combined": "sum",
    "cumulative": "sum",
    "median": "median",
    "maximum": "max",
    "max": "max",
    "peak": "max",
    "minimum": "min",
    "min": "min",
}

# Superlatives: the direction they rank in, and whether they mean "most rows" by themselves
# ("busiest" ranks by count; "highest" needs a measure).
SUPERLATIVES: dict[str, tuple[str, bool]] = {
    "most": ("desc", False),
    "highest": ("desc", False),
    "largest": ("desc", False),
    "biggest": ("desc", False),
    "greatest": ("desc", False),
    "longest": ("desc", False),
    "top": ("desc", False),
    "maximum": ("desc", False),
    "max": ("desc", False),
    "heaviest": ("desc", False),
    "tallest": ("desc", False),
    "oldest": ("asc", False),
    "least": ("asc", False),
    "lowest": ("asc", False),
    "smallest": ("asc", False),
    "shortest": ("asc", False),
    "fewest": ("asc", True),
    "bottom": ("asc", False),
    "minimum": ("asc", False),
    "min": ("asc", False),
    "lightest": ("asc", False),
    "newest": ("desc", False),
    "busiest": ("desc", True),
    "quietest": ("asc", True),
    "popular": ("desc", True),
    "common": ("desc", True),
    "frequent": ("desc", True),
    "best": ("best", False),
    "worst": ("worst", False),
}

# Measures where more is worse: "worst delays" ranks the highest first.
NEGATIVE_MEASURES = words(
    """delay late cost expense spend loss error defect return refund
                        complaint churn discount duration wait time debt risk fee penalty"""
)

# Words that ask for a count of rows.
COUNT_PHRASES: tuple[tuple[str, ...], ...] = (
    ("how", "many"),
    ("number", "of"),
    ("count", "of"),
    ("count",),
    ("no.", "of"),
    ("num", "of"),
)
DISTINCT_WORDS = frozenset({"distinct", "unique", "different"})

# Words that introduce a grouping.
GROUP_PHRASES: tuple[tuple[str, ...], ...] = (
    ("broken", "down", "by"),
    ("break", "down", "by"),
    ("breakdown", "by"),
    ("grouped", "by"),
    ("group", "by"),
    ("split", "by"),
    ("for", "each"),
    ("for", "every"),
    ("in", "each"),
    ("to", "each"),
    ("from", "each"),
    ("at", "each"),
    ("of", "each"),
    ("across",),
    ("by",),
    ("per",),
    ("each",),
    ("every",),
)

# Words that introduce a filter on a value or a related row.
PREPOSITIONS = words("""for from to at in on of with by where whose having into out via""")
# Which side of a pair of columns a preposition points at.
FROM_WORDS = words("""from origin source src start departure dep sender pickup""")
TO_WORDS = words("""to destination dest target arrival arr end recipient dropoff""")

# Comparisons with a number.
COMPARATORS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("greater", "than", "or", "equal", "to"), ">="),
    (("less", "than", "or", "equal", "to"), "<="),
    (("more", "than"), ">"),
    (("greater", "than"), ">"),
    (("higher", "than"), ">"),
    (("larger", "than"), ">"),
    (("longer", "than"), ">"),
    (("bigger", "than"), ">"),
    (("over",), ">"),
    (("above",), ">"),
    (("exceeding",), ">"),
    (("exceeds",), ">"),
    (("at", "least"), ">="),
    (("no", "less", "than"), ">="),
    (("less", "than"), "<"),
    (("fewer", "than"), "<"),
    (("lower", "than"), "<"),
    (("smaller", "than"), "<"),
    (("shorter", "than"), "<"),
    (("under",), "<"),
    (("below",), "<"),
    (("at", "most"), "<="),
    (("no", "more", "than"), "<="),
    (("up", "to"), "<="),
    (("equal", "to"), "="),
    (("exactly",), "="),
    ((">=",), ">="),
    (("<=",), "<="),
    ((">",), ">"),
    (("<",), "<"),
    (("=",), "="),
)

# "top 5", "bottom 3", and how numbers are written.
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "fifty": 50,
    "hundred": 100,
    "a dozen": 12,
    "dozen": 12,
}

# Asking to change data: never answered.
WRITE_VERBS = words(
    """delete remove drop truncate update insert add create alter modify change
                  set replace rename erase wipe purge overwrite edit merge upsert grant
                  revoke"""
)
WRITE_OBJECTS = words(
    """table tables row rows record records column columns data database schema
                    view them it those these all every"""
)
SQL_WRITES = (
    "delete from",
    "drop table",
    "drop view",
    "drop schema",
    "insert into",
    "truncate ",
    "alter table",
    "create table",
    "create view",
    "update ",
    "copy ",
    "attach ",
    "detach ",
    "install ",
    "load ",
)

# Questions no query answers.
NOT_DATA = words(
    """why joke poem story hello hi thanks thank opinion feel think recommend should"""
)
FORECAST = words(
    """forecast predict prediction predicted projection will next future tomorrow
               expect expected"""
)

# Words that mean "rows" of whatever table is being counted.
ROW_WORDS = words(
    """rows row records record entries entry observations observation readings
                reading measurements measurement lines line events event cases case
                instances"""
)

# Verbs and function words that carry no meaning for the query ("did each carrier operate").
FILLERS = words(
    """did do does done doing is are was were be been being has have had having get
              got gets make makes made build built operate operated operates operating fly
              flies flew flown go goes went gone depart departs departed leave leaves left
              arrive arrives arrived come comes came place placed places sell sold sells buy
              bought record recorded happen happened occur occurred take took taken see seen
              work worked live lives lived sign signed up register registered brought bring
              brings bringing shipped run ran there here it its me us we our you your i my
              they them their this that these those the a an some any all what which who how
              much many please show tell give find display know want like would could can
              should will just only also too than then so very really about overall versus
              vs compare compared comparison between against change changed look looking out
              off down leaving departing arriving flying going coming heading handle handles
              handled handling new"""
)

# Generic nouns that name nothing unless a column has them in its name ("value", "table").
SOFT_FILLERS = words(
    """number numbers count figure figures stats statistics total data dataset
                   table tables database list overall info information"""
)

# Units of time: "2 hours" is never the column "hour".
TIME_UNITS = words(
    """minute minutes min mins hour hours hr hrs second seconds sec secs day days
                 week weeks month months year years"""
)

# Words that put a number against zero.
SIGN_WORDS = {"negative": "<", "positive": ">"}

# Units written after a number ("60 minutes"): taken as the unit of the column named before.
UNITS = words(
    """minute minutes min mins hour hours hr hrs second seconds sec secs day days week
            weeks month months year years mile miles km kilometers kilometres meter meters
            metre metres foot feet ft dollar dollars usd euro euros eur pound pounds gbp
            percent pct % unit units item items piece pieces kg kilograms gram grams lb lbs
            degree degrees seats"""
)

# Follow-ups: how a refinement of the last question starts.
FOLLOW_UP_STARTS: tuple[tuple[str, ...], ...] = (
    ("and",),
    ("what", "about"),
    ("how", "about"),
    ("only",),
    ("just",),
    ("now",),
    ("same",),
    ("but",),
    ("instead",),
    ("also",),
    ("then",),
    ("ok",),
    ("okay",),
    ("now", "only"),
)
FOLLOW_UP_WORDS = words("""them those these it that instead too also same only just""")

# Asking for a listing of rows.
LIST_VERBS = words("show list display give find")

# Superlatives that name their measure: "the cheapest product" ranks by a price.
MEASURE_ADJECTIVES: dict[str, tuple[str, str]] = {
    "cheapest": ("asc", "price"),
    "priciest": ("desc", "price"),
    "expensive": ("desc", "price"),
    "fastest": ("desc", "speed"),
    "slowest": ("asc", "speed"),
    "heaviest": ("desc", "weight"),
    "lightest": ("asc", "weight"),
    "tallest": ("desc", "height"),
}

# Asking for a part of the whole, as a percentage.
SHARE_WORDS = words("share percentage percent proportion fraction pct %")
