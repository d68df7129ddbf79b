"""Personal-name comparison: folding, nicknames, initials, "Last, First".

Used to decide whether two records from different sources name the same person. The rules
are deliberately conservative: a wrong merge mixes two people's histories (hard to notice),
while a missed merge only leaves a duplicate in the review queue.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_NICKNAME_GROUPS = [
    "robert rob bob bobby robbie bert",
    "william will bill billy liam willy",
    "richard rich rick ricky dick",
    "james jim jimmy jamie",
    "john jon johnny jack",
    "jonathan jon jonny",
    "michael mike mikey mick",
    "christopher chris kit",
    "christine chris chrissy tina",
    "christina chris tina",
    "nicholas nick nicky",
    "nicole nicky nikki",
    "alexander alex alec sandy xander",
    "alexandra alex sandra sasha lexi",
    "elizabeth liz lizzy beth betty eliza libby",
    "katherine kate katie kathy kat",
    "catherine cate cathy kate katie",
    "margaret maggie meg peggy marge",
    "jennifer jen jenny",
    "jessica jess jessie",
    "rebecca becca becky",
    "samantha sam sammy",
    "samuel sam sammy",
    "daniel dan danny",
    "danielle dani",
    "david dave davey",
    "edward ed eddie ted ned",
    "thomas tom tommy",
    "timothy tim timmy",
    "anthony tony",
    "andrew andy drew",
    "benjamin ben benny",
    "joseph joe joey",
    "joshua josh",
    "matthew matt matty",
    "patrick pat paddy",
    "patricia pat patty trish",
    "peter pete",
    "stephen steve stevie",
    "steven steve stevie",
    "charles charlie chuck chas",
    "charlotte charlie lottie",
    "frederick fred freddie",
    "gregory greg",
    "jacob jake",
    "kenneth ken kenny",
    "lawrence larry",
    "leonard leo len lenny",
    "nathaniel nate nat",
    "nathan nate",
    "philip phil",
    "raymond ray",
    "ronald ron ronnie",
    "susan sue susie",
    "suzanne sue suzy",
    "victoria vicky tori",
    "abigail abby abbie",
    "deborah deb debbie",
    "dorothy dot dottie",
    "eleanor ellie nell",
    "gabriel gabe",
    "gabriella gabby ella",
    "isabella bella izzy",
    "josephine jo josie",
    "judith judy",
    "kimberly kim",
    "madeline maddie",
    "pamela pam",
    "teresa terry tess",
    "valerie val",
    "zachary zach zack",
    "mohammed mohamed muhammad mohammad",
    "frances fran frankie",
    "francis frank fran",
    "isabel izzy isa",
    "nicolas nico nick",
    "nicola nico nicky",
    "victor vic",
    "stefan stef steff",
    "stephanie steph steff",
    "samira sam",
    "alexander sasha",
]
NICKNAMES: dict[str, frozenset[str]] = {}
for _group in _NICKNAME_GROUPS:
    _names = frozenset(_group.split())
    for _name in _names:
        NICKNAMES[_name] = NICKNAMES.get(_name, frozenset()) | _names


# letters that Unicode does not decompose into a base letter and a mark, as people type
# them without the accent (Søren → Soren, Yılmaz → Yilmaz, Łukasz → Lukasz)
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "ı": "i", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"}
)


def fold_name(text: str) -> str:
    """Lower-case, strip diacritics and punctuation, collapse spaces: "Zoë O'Neil" → "zoe oneil"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSED))
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    kept = "".join(c if c.isalnum() or c.isspace() or c == "-" else "" for c in kept)
    return " ".join(kept.replace("-", " ").split())


@dataclass(frozen=True, slots=True)
class NameParts:
    """A name split into folded given and family parts."""

    given: str
    family: str
    full: str


def split_name(name: str, given: str | None = None, family: str | None = None) -> NameParts:
    """Fold and split a name; "Roe, Jane" is read as given "jane", family "roe"."""
    if given or family:
        g, f = fold_name(given or ""), fold_name(family or "")
        return NameParts(g, f, " ".join(x for x in (g, f) if x))
    text = name.strip()
    if text.count(",") == 1:
        last, first = (p.strip() for p in text.split(","))
        if last and first and " " not in last.strip():
            text = f"{first} {last}"
    folded = fold_name(text)
    words = folded.split()
    if not words:
        return NameParts("", "", "")
    if len(words) == 1:
        return NameParts(words[0], "", folded)
    return NameParts(words[0], words[-1], folded)


def given_names_match(a: str, b: str) -> float:
    """How well two folded given names agree: 1 same, 0.9 nickname, 0.75 initial, else 0."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if b in NICKNAMES.get(a, frozenset()):
        return 0.9
    a0, b0 = a.rstrip("."), b.rstrip(".")
    if (len(a0) == 1 and b0.startswith(a0)) or (len(b0) == 1 and a0.startswith(b0)):
        return 0.75
    return 0.0


def name_similarity(a: NameParts, b: NameParts) -> float:
    """Similarity in [0, 1] of two people's names, family names weighing most."""
    if not a.full or not b.full:
        return 0.0
    if a.full == b.full:
        return 1.0
    if a.family and a.family == b.family:
        given = given_names_match(a.given, b.given)
        if given:
            return given
        from rapidfuzz.distance import JaroWinkler

        return 0.7 * JaroWinkler.similarity(a.given, b.given)
    from rapidfuzz import fuzz

    return 0.6 * fuzz.token_sort_ratio(a.full, b.full) / 100
