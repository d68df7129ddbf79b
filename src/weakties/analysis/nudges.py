"""Nudges: whom to reconnect with, help, introduce, thank and keep warm, ranked by rules.

Pure functions over arrays and small records; the workspace gathers the facts and remembers
what the user did with each nudge. Every nudge carries a stable key (``reconnect:123``,
``introduce:12-34``), a score in [0, 1] comparable within its kind, a reason made of true facts,
and a deterministic, template-based draft.

Reconnecting follows Levin, Walter & Murnighan (2011, *Organ. Sci.* 22:923): dormant ties that
were once strong give trust *and* novel information at low cost. Walter, Levin & Murnighan
(2015, *Organ. Sci.* 26:1447) found people pick the contacts they spent most time with, while
the most valuable reconnections offer novelty and willingness; so the value here is the tie's
past strength, goodwill, novelty (few mutual contacts, another circle) and reach into my goals,
never past volume alone. Keeping warm follows Dunbar's layers (Dunbar 2020, *Proc. R. Soc. A*
476:20200446): each layer has its contact frequency, weekly to yearly.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from weakties.analysis.events import EventArrays
from weakties.analysis.features import CHANNEL_WEIGHTS, DAY, PairFeatures
from weakties.analysis.strength import DEFAULT_WEIGHTS, StrengthWeights, tie_strength
from weakties.domain.goals import GoalTag, GoalTagKind
from weakties.domain.people import normalize_org_name
from weakties.errors import InvalidInput

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
YEAR = 365.25 * DAY


class NudgeKind(StrEnum):
    """What a nudge asks of the user."""

    RECONNECT = "reconnect"
    HELP = "help"
    INTRODUCE = "introduce"
    THANK = "thank"
    KEEP_WARM = "keep-warm"


class NudgeStatus(StrEnum):
    """What the user did with a nudge: done, snoozed (until a time) or dismissed for good."""

    DONE = "done"
    SNOOZED = "snoozed"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class Nudge:
    """One suggestion: kind, stable key, the people involved, score, reason and a draft.

    ``facts_time`` is the time of the newest fact the nudge rests on (unix seconds): a nudge
    marked done stays hidden until a newer fact appears. ``status`` is filled in by the
    workspace for hidden nudges it was asked to show.
    """

    kind: NudgeKind
    key: str
    people: tuple[int, ...]
    names: tuple[str, ...]
    score: float
    reason: str
    draft: str
    facts_time: float = 0.0
    status: NudgeStatus | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class NudgeState:
    """The remembered state of one nudge key."""

    key: str
    status: NudgeStatus
    until: datetime | None
    updated_at: datetime


def is_hidden(nudge: Nudge, state: NudgeState | None, now: datetime) -> bool:
    """Whether the user's decision hides this nudge at ``now``.

    Dismissed: always. Snoozed: until its time. Done: until a fact newer than the decision
    appears (a new interaction, favour or ask), which makes it a new situation.
    """
    if state is None:
        return False
    if state.status is NudgeStatus.DISMISSED:
        return True
    if state.status is NudgeStatus.SNOOZED:
        return state.until is None or now < state.until
    return nudge.facts_time <= state.updated_at.timestamp()


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class Traits:
    """What a person offers, for matching asks and goals: current organisations, their
    industries, titles, skills, and whether they asked not to be asked."""

    person_id: int
    name: str
    given_name: str | None = None
    orgs: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    do_not_ask: bool = False
    role: str | None = None  # "Title at Org" of the latest current job, for drafts

    @property
    def first_name(self) -> str:
        return self.given_name or (self.name.split() or ["there"])[0]


@lru_cache(maxsize=65_536)  # the same titles, skills and tags are compared for every ask
def _fold(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


@lru_cache(maxsize=65_536)
def _org_key(name: str) -> str:
    return normalize_org_name(name)


def tag_matches(tag: GoalTag, traits: Traits) -> bool:
    """Whether a person answers one tag: works at the org, in the industry, holds the role
    (the tag's words inside a title), or has the skill (as a skill or inside a title).

    Location tags never match alone: a place makes nobody an answer.
    """
    value = _fold(tag.value)
    if not value:
        return False
    if tag.kind is GoalTagKind.ORG:
        key = _org_key(tag.value)
        return any(_org_key(o) == key for o in traits.orgs)
    if tag.kind is GoalTagKind.INDUSTRY:
        return any(_fold(i) == value for i in traits.industries)
    if tag.kind is GoalTagKind.ROLE:
        return any(value in _fold(t) for t in traits.titles)
    if tag.kind is GoalTagKind.SKILL:
        return any(_fold(s) == value for s in traits.skills) or any(
            value in _fold(t) for t in traits.titles
        )
    return False


def match_tags(tags: Sequence[GoalTag], traits: Traits) -> tuple[float, tuple[GoalTag, ...]]:
    """Share of an ask's (non-location) tags the person answers, and which ones."""
    wanted = [t for t in tags if t.kind is not GoalTagKind.LOCATION]
    if not wanted:
        return 0.0, ()
    hits = tuple(t for t in wanted if tag_matches(t, traits))
    return len(hits) / len(wanted), hits


def describe_tag(tag: GoalTag, *, you: bool = False) -> str:
    """A tag in words: "works at Acme Bank", "knows Python" (or "work at …" for *you*)."""
    verbs = {
        GoalTagKind.ORG: ("works at", "work at"),
        GoalTagKind.INDUSTRY: ("works in", "work in"),
        GoalTagKind.ROLE: ("is a", "are a"),
        GoalTagKind.SKILL: ("knows", "know"),
        GoalTagKind.LOCATION: ("is in", "are in"),
    }[tag.kind]
    return f"{verbs[1] if you else verbs[0]} {tag.value}"


_SECOND_PERSON = {"their": "your", "theirs": "yours", "them": "you", "they": "you"}
_FIRST_PERSON = {"their": "my", "theirs": "mine", "them": "me", "they": "I"}


def _swap(text: str, table: Mapping[str, str]) -> str:
    return " ".join(table.get(w.lower(), w) for w in text.split(" "))


def second_person(text: str) -> str:
    """A service written about its receiver ("migrated their email") addressed to them
    ("migrated your email"): what I did for the person a draft goes to."""
    return _swap(text, _SECOND_PERSON)


def first_person(text: str) -> str:
    """A service written about its receiver ("referred them for the role they got") with me
    as the receiver ("referred me for the role I got"): what the draft's reader did for me."""
    return _swap(text, _FIRST_PERSON)


@dataclass(frozen=True, slots=True)
class Ask:
    """An open goal: a contact's ask (or my own goal), with its tags and creation time."""

    goal_id: int
    owner_id: int
    text: str
    tags: tuple[GoalTag, ...]
    created: float = 0.0


# --------------------------------------------------------------------------- reconnect

PEAK_AFTER_DAYS = 30.0
"""Past strength is the tie's strength a month after its last contact: the tie as it stood when
it went quiet, with the ordinary silence between contacts (at the instant of a contact every
tie scores high, which would say nothing)."""
RECONNECT_WEIGHTS = (0.40, 0.20, 0.20, 0.20)
"""Past strength, goodwill, novelty, reach. Past strength leads (Levin et al. 2011: formerly
strong dormant ties gave the most); the other three are what Walter et al. (2015) found people
under-weigh when they choose by comfort."""
GOODWILL_SCALE = 4.0
"""Goodwill saturates as ``tanh(g / 4)``: one large favour (weight 4) gives 0.76, the same
scale as the path model's willingness."""
MUTUAL_HALF = 5.0
"""Structural novelty ``5 / (5 + mutual contacts)``: a tie with no mutual contacts is all new
information, one with five mutual contacts half."""
PASS_ON = 0.35
"""Chance a contact passes a request one hop on: Dodds, Muhamad & Watts (2003, *Science*
301:827) observed about 35% continuation per step."""


def strength_when_quiet(
    features: PairFeatures,
    events: EventArrays,
    weights: StrengthWeights = DEFAULT_WEIGHTS,
    *,
    after_days: float = PEAK_AFTER_DAYS,
    channel_weights: tuple[float, ...] = CHANNEL_WEIGHTS,
) -> F64:
    """Each pair's tie strength ``after_days`` after its last contact (its past strength).

    The ACT-R activation is recomputed from ``events`` at that moment, then the pair is scored
    with its times shifted so that the silence is ``after_days`` and the span unchanged; the
    user's rating (a judgement of the tie today) is left out. Pairs never in contact keep their
    present strength.
    """
    n = len(features)
    talked = features.count > 0
    at = features.last_t + after_days * DAY
    act = np.zeros(n)
    if len(events) and talked.any():
        lo = np.minimum(events.u, events.v).astype(np.uint64)
        hi = np.maximum(events.u, events.v).astype(np.uint64)
        ev_key = (lo << np.uint64(32)) | hi
        row_key = (features.a.astype(np.uint64) << np.uint64(32)) | features.b.astype(np.uint64)
        order = np.argsort(row_key, kind="stable")
        pos = np.searchsorted(row_key[order], ev_key)
        pos = np.minimum(pos, n - 1)
        hit = row_key[order][pos] == ev_key
        row = order[pos[hit]]
        t = events.t[hit]
        ok = t <= at[row]
        row, t = row[ok], t[ok]
        w = np.asarray(channel_weights, dtype=np.float64)[events.channel[hit][ok]]
        w = w / (events.group[hit][ok].astype(np.float64) - 1.0)
        age = (at[row] - t) / DAY + 1.0
        act = np.bincount(row, weights=w * age ** (-features.decay), minlength=n).astype(np.float64)
    as_of = features.as_of
    shift = np.where(talked, as_of - at, 0.0)
    quiet = replace(
        features,
        first_t=features.first_t + shift,
        last_t=features.last_t + shift,
        activation=np.where(talked, act, features.activation),
        rating=np.full(n, np.nan),
    )
    past, _ = tie_strength(quiet, as_of, weights)
    now_s, _ = tie_strength(features, as_of, weights)
    return np.asarray(np.where(talked, past, now_s), dtype=np.float64)


def reconnect_value(
    past_strength: F64,
    goodwill: F64,
    mutual_contacts: F64,
    other_circle: NDArray[np.bool_],
    goal_self: NDArray[np.bool_],
    goal_neighbours: F64,
) -> tuple[F64, F64, F64, F64]:
    """Value of reconnecting with each dormant tie, in [0, 1], with its parts.

    Returns ``(value, goodwill term, novelty, reach)``:

    - goodwill term ``tanh(g / 4)`` of the decayed goodwill exchanged either way;
    - novelty ``½ · 5/(5 + mutual) + ½ · [in another circle than my core]``;
    - reach ``1 − (1 − [they match a goal]) · (1 − 0.35)^m`` with ``m`` of their contacts
      matching one of my goals: the chance the request gets to a goal target;
    - value ``0.4 · past strength + 0.2 · goodwill + 0.2 · novelty + 0.2 · reach``.

    Past volume enters only through past strength, which also weighs recency of the rhythm,
    reciprocity, duration and services: volume alone never decides.
    """
    s = np.clip(np.asarray(past_strength, dtype=np.float64), 0.0, 1.0)
    g = np.tanh(np.maximum(np.asarray(goodwill, dtype=np.float64), 0.0) / GOODWILL_SCALE)
    mutual = np.maximum(np.asarray(mutual_contacts, dtype=np.float64), 0.0)
    novelty = 0.5 * MUTUAL_HALF / (MUTUAL_HALF + mutual) + 0.5 * np.asarray(other_circle, bool)
    m = np.maximum(np.asarray(goal_neighbours, dtype=np.float64), 0.0)
    reach = 1.0 - (1.0 - np.asarray(goal_self, dtype=np.float64)) * (1.0 - PASS_ON) ** m
    w = RECONNECT_WEIGHTS
    value = w[0] * s + w[1] * g + w[2] * novelty + w[3] * reach
    return value, g, novelty, reach


@dataclass(frozen=True, slots=True)
class History:
    """What I share with one contact, for a reason and an opener."""

    person: Traits
    interactions: int = 0
    last_t: float = float("nan")
    last_channel: str | None = None
    last_summary: str | None = None
    i_helped: tuple[tuple[str, str | None], ...] = ()  # (what, when) I did for them
    they_helped: tuple[tuple[str, str | None], ...] = ()  # (what, when) they did for me
    goal_text: str | None = None  # my goal their reach serves
    goal_self: bool = False  # they match it themselves
    goal_contacts: tuple[str, ...] = ()  # people they know who match it


_CHANNEL_VERB = {
    "email": "emailed",
    "meeting": "met",
    "call": "spoke on the phone",
    "message": "messaged",
    "in_person": "met in person",
    "social": "were in touch online",
}


def date_words(iso: str) -> str:
    """A partial ISO date in words, with its preposition: "in 2021", "in June 2021",
    "on 25 November 2021"."""
    parts = iso.split("-")
    try:
        if len(parts) == 1:
            return f"in {int(parts[0])}"
        month = calendar.month_name[int(parts[1])]
        if not month:
            raise ValueError(iso)
        if len(parts) == 2:
            return f"in {month} {int(parts[0])}"
        return f"on {int(parts[2])} {month} {int(parts[0])}"
    except (ValueError, IndexError):
        return f"in {iso}"


def _month(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).strftime("%B %Y")


def _span(days: float) -> str:
    if days < 60:
        return f"{max(1, round(days))} days"
    if days < 730:
        return f"{round(days / 30.44)} months"
    return f"{round(days / 365.25)} years"


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def reconnect_nudges(
    histories: Sequence[History],
    past_strength: F64,
    value: F64,
    goodwill_term: F64,
    novelty: F64,
    reach: F64,
    mutual_contacts: F64,
    other_circle: NDArray[np.bool_],
    now: float,
) -> list[Nudge]:
    """One nudge per dormant tie, best value first, with an opener citing shared history."""
    out = []
    for i, h in enumerate(histories):
        p = h.person
        facts: list[str] = []
        if h.interactions:
            facts.append(
                f"{h.interactions} contact{'s' if h.interactions != 1 else ''}, "
                f"last {_span((now - h.last_t) / DAY)} ago"
            )
            facts.append(f"strength {past_strength[i]:.2f} when it went quiet")
        else:
            facts.append("never in conversation")
        for label, items in (("you helped them", h.i_helped), ("they helped you", h.they_helped)):
            if items:
                what, when = items[0]
                more = f" and {len(items) - 1} more" if len(items) > 1 else ""
                facts.append(f"{label}: “{_quote(what)}”{f' ({when})' if when else ''}{more}")
        n_mutual = int(mutual_contacts[i])
        facts.append(
            "no mutual contacts"
            if n_mutual == 0
            else f"{n_mutual} mutual contact{'s' if n_mutual != 1 else ''}"
        )
        if other_circle[i]:
            facts.append("outside your usual circle")
        if h.goal_text and reach[i] > 0:
            goal = f"your goal “{_quote(h.goal_text)}”"
            who = ", ".join(h.goal_contacts[:2]) + (" …" if len(h.goal_contacts) > 2 else "")
            if h.goal_self and h.goal_contacts:
                facts.append(f"matches {goal}, and knows {who} who do too")
            elif h.goal_self:
                facts.append(f"matches {goal}")
            elif h.goal_contacts:
                facts.append(f"knows {who} who match {goal}")
        out.append(
            Nudge(
                kind=NudgeKind.RECONNECT,
                key=f"reconnect:{p.person_id}",
                people=(p.person_id,),
                names=(p.name,),
                score=float(value[i]),
                reason="; ".join(facts),
                draft=_reconnect_draft(h, now),
                facts_time=float(h.last_t) if np.isfinite(h.last_t) else 0.0,
            )
        )
    out.sort(key=lambda n: (-n.score, n.key))
    return out


def _reconnect_draft(h: History, now: float) -> str:
    p = h.person
    lines = [f"Hi {p.first_name},"]
    if h.interactions and np.isfinite(h.last_t):
        verb = _CHANNEL_VERB.get(h.last_channel or "", "were in touch")
        about = f", about “{_quote(h.last_summary)}”" if h.last_summary else ""
        lines.append(
            f"it has been {_span((now - h.last_t) / DAY)} since we last {verb} "
            f"({_month(h.last_t)}{about})."
        )
    else:
        lines.append("it has been far too long since we were properly in touch.")
    if h.they_helped:
        what, when = h.they_helped[0]
        lines.append(
            f"I still think of when you {first_person(what)}{f' {date_words(when)}' if when else ''}"
            " — thank you again."
        )
    elif h.i_helped:
        what, when = h.i_helped[0]
        lines.append(
            f"I was remembering when I {second_person(what)}{f' {date_words(when)}' if when else ''}"
            " and wondered how things turned out."
        )
    where = f" at {p.orgs[0]}" if p.orgs else ""
    lines.append(f"I would love to hear what you are working on{where} these days.")
    lines.append("Could we find 20 minutes for a call in the next few weeks?")
    return " ".join(lines)


# --------------------------------------------------------------------------- help


KNOWS_AT_MOST = 0.3
"""Pairs who more probably than this already know each other need no introduction: pointing
one to the other is a help nudge; below it, bringing them together is an introduce nudge."""


@dataclass(frozen=True, slots=True)
class HelpPick:
    """The best answer to an ask: who (the owner or a contact), how well, and through what."""

    ask: Ask
    helper: int
    match: float
    tags: tuple[GoalTag, ...]


def best_helpers(
    asks: Sequence[Ask],
    me: int,
    traits: Mapping[int, Traits],
    my_strength: Mapping[int, float],
) -> list[HelpPick]:
    """For each ask, who answers it best: me when I match at all, else the contact whose
    ``match × my tie strength to them`` is highest (someone I can actually ask).

    The asker themself and contacts who asked not to be asked are never helpers.
    """
    picks = []
    mine = traits.get(me)
    for ask in asks:
        if mine is not None:
            share, hits = match_tags(ask.tags, mine)
            if share > 0:
                picks.append(HelpPick(ask, me, share, hits))
                continue
        best: tuple[float, int, float, tuple[GoalTag, ...]] | None = None
        for pid, t in traits.items():
            if pid in (me, ask.owner_id) or t.do_not_ask or pid not in my_strength:
                continue
            share, hits = match_tags(ask.tags, t)
            if share <= 0:
                continue
            value = share * my_strength[pid]
            if best is None or (value, -pid) > (best[0], -best[1]):
                best = (value, pid, share, hits)
        if best is not None:
            picks.append(HelpPick(ask, best[1], best[2], best[3]))
    return picks


def help_nudges(
    picks: Sequence[HelpPick],
    me: int,
    traits: Mapping[int, Traits],
    my_strength: Mapping[int, float],
    knows: Mapping[int, float],
) -> list[Nudge]:
    """Asks I can answer, or that a contact the asker already knows can.

    ``knows`` maps each ask's goal id to the probability its asker knows the contact helper;
    below :data:`KNOWS_AT_MOST` the pick is left to :func:`introduce_nudges` (they need an
    introduction, not a pointer). Score: ``match × (½ + ½ · my tie to the asker)``, and for a
    contact's answer also ``× ½ × my tie to them`` (it costs them, not me, and I must ask).
    """
    out = []
    for pick in picks:
        if pick.helper != me and knows.get(pick.ask.goal_id, 0.0) <= KNOWS_AT_MOST:
            continue
        asker = traits[pick.ask.owner_id]
        closeness = 0.5 + 0.5 * my_strength.get(asker.person_id, 0.0)
        matched = ", ".join(describe_tag(t) for t in pick.tags)
        if pick.helper == me:
            score = pick.match * closeness
            mine = ", ".join(describe_tag(t, you=True) for t in pick.tags)
            reason = f"{asker.name} asked: “{_quote(pick.ask.text)}”; you {mine}"
            draft = (
                f"Hi {asker.first_name}, I saw that you are looking for help: "
                f"“{_quote(pick.ask.text, 120)}”. That is something I know about — "
                "happy to help. When would suit you for a quick call?"
            )
            people: tuple[int, ...] = (asker.person_id,)
            names: tuple[str, ...] = (asker.name,)
        else:
            helper = traits[pick.helper]
            strength = my_strength.get(pick.helper, 0.0)
            score = 0.5 * pick.match * closeness * strength
            p_knows = knows.get(pick.ask.goal_id, 0.0)
            reason = (
                f"{asker.name} asked: “{_quote(pick.ask.text)}”; {helper.name} {matched} "
                f"and probably knows them already ({p_knows:.0%}; your tie {strength:.2f})"
            )
            role = f" ({helper.role})" if helper.role else ""
            draft = (
                f"Hi {asker.first_name}, about “{_quote(pick.ask.text, 120)}”: have you asked "
                f"{helper.name}{role}? They {matched.replace(', ', ' and ')} — I think they "
                "would be glad to help, and you can mention I suggested it."
            )
            people = (asker.person_id, helper.person_id)
            names = (asker.name, helper.name)
        out.append(
            Nudge(
                kind=NudgeKind.HELP,
                key=f"help:{pick.ask.goal_id}",
                people=people,
                names=names,
                score=float(score),
                reason=reason,
                draft=draft,
                facts_time=pick.ask.created,
            )
        )
    out.sort(key=lambda n: (-n.score, n.key))
    return out


# --------------------------------------------------------------------------- introduce


@dataclass(frozen=True, slots=True)
class PairGain:
    """Two contacts who would gain from meeting: ``x``'s ask is answered by ``y`` (and maybe
    the other way round), with the match and the tags that made it."""

    x: int
    y: int
    gain: float
    asks: tuple[tuple[Ask, int, tuple[GoalTag, ...]], ...] = field(default=())  # (ask, answerer)


def introduction_candidates(
    asks: Sequence[Ask],
    me: int,
    traits: Mapping[int, Traits],
    my_strength: Mapping[int, float],
    *,
    exclude: Iterable[tuple[int, int]] = (),
    per_ask: int = 5,
) -> list[PairGain]:
    """Pairs of my contacts where one answers the other's ask (complementary need and offer).

    Per ask the ``per_ask`` best answerers by ``match × my tie to them`` are kept; a pair's gain
    sums both directions. ``exclude`` lists pairs already introduced or already proposed.
    """
    skip = {(min(a, b), max(a, b)) for a, b in exclude}
    pairs: dict[tuple[int, int], list[tuple[float, Ask, int, tuple[GoalTag, ...]]]] = {}
    for ask in asks:
        if ask.owner_id == me or ask.owner_id not in my_strength:
            continue
        found = []
        for pid, t in traits.items():
            if pid in (me, ask.owner_id) or t.do_not_ask or pid not in my_strength:
                continue
            share, hits = match_tags(ask.tags, t)
            if share > 0:
                found.append((share * my_strength[pid], share, pid, hits))
        found.sort(key=lambda f: (-f[0], f[2]))
        for _, share, pid, hits in found[:per_ask]:
            key = (min(ask.owner_id, pid), max(ask.owner_id, pid))
            if key in skip:
                continue
            pairs.setdefault(key, []).append((share, ask, pid, hits))
    out = []
    for (x, y), items in pairs.items():
        gain = min(1.0, sum(i[0] for i in items))
        out.append(PairGain(x, y, gain, tuple((i[1], i[2], i[3]) for i in items)))
    out.sort(key=lambda p: (-p.gain, p.x, p.y))
    return out


def introduce_nudges(
    candidates: Sequence[PairGain],
    knows: F64,
    traits: Mapping[int, Traits],
    my_strength: Mapping[int, float],
) -> list[Nudge]:
    """Introductions worth making. Score: ``gain × √(my tie to x · my tie to y) × (1 − p_knows)``
    (I can vouch for both; they probably do not know each other). Pairs with ``p_knows`` above
    :data:`KNOWS_AT_MOST` are left out."""
    out = []
    for c, p_knows in zip(candidates, np.asarray(knows, dtype=np.float64), strict=True):
        if p_knows > KNOWS_AT_MOST:
            continue
        x, y = traits[c.x], traits[c.y]
        vouch = float(np.sqrt(my_strength.get(c.x, 0.0) * my_strength.get(c.y, 0.0)))
        score = c.gain * vouch * (1.0 - float(p_knows))
        parts = []
        for ask, answerer, tags in c.asks:
            asker = traits[ask.owner_id]
            other = traits[answerer]
            parts.append(
                f"{asker.name} asked “{_quote(ask.text)}” and {other.name} "
                + ", ".join(describe_tag(t) for t in tags)
            )
        parts.append(f"they probably do not know each other ({p_knows:.0%})")
        out.append(
            Nudge(
                kind=NudgeKind.INTRODUCE,
                key=f"introduce:{c.x}-{c.y}",
                people=(c.x, c.y),
                names=(x.name, y.name),
                score=score,
                reason="; ".join(parts),
                draft=_introduce_draft(c, traits),
                facts_time=max(a[0].created for a in c.asks),
            )
        )
    out.sort(key=lambda n: (-n.score, n.key))
    return out


def _introduce_draft(c: PairGain, traits: Mapping[int, Traits]) -> str:
    """A double opt-in: ask the one who would help first, then the asker; connect only if both
    say yes."""
    ask, answerer, tags = c.asks[0]
    asker = traits[ask.owner_id]
    helper = traits[answerer]
    asker_role = f" ({asker.role})" if asker.role else ""
    helper_role = f" ({helper.role})" if helper.role else ""
    why = ", ".join(describe_tag(t, you=True) for t in tags)
    return (
        f"To {helper.first_name}: Hi {helper.first_name}, {asker.name}{asker_role} is looking "
        f"for help: “{_quote(ask.text, 120)}”. Since you {why}, I think you two would get a lot "
        "from a conversation. Would you be open to an introduction? No pressure either way.\n"
        f"To {asker.first_name}: Hi {asker.first_name}, about “{_quote(ask.text, 120)}”: I know "
        f"{helper.name}{helper_role}. If you would like, and they agree, I will introduce you "
        "both by email."
    )


# --------------------------------------------------------------------------- thank


@dataclass(frozen=True, slots=True)
class Received:
    """A service a contact did me that I have not returned (from the goodwill ledger)."""

    key: str  # "favour:12" or "introduction:3"
    giver: int
    what: str
    when: str | None
    t: float
    weight_now: float  # decayed weight


def thank_nudges(received: Sequence[Received], traits: Mapping[int, Traits]) -> list[Nudge]:
    """Thank-you notes for unreturned favours and introductions, weightiest (decayed) first.

    Score ``tanh(weight now / 4)``: a large fresh favour 0.76, a small four-year-old one 0.12.
    """
    out = []
    for r in received:
        p = traits[r.giver]
        when = f" ({r.when})" if r.when else ""
        opener = (
            f"thinking back to {date_words(r.when).split(' ', 1)[1]}, when you"
            if r.when
            else "I was thinking of when you"
        )
        out.append(
            Nudge(
                kind=NudgeKind.THANK,
                key=f"thank:{r.key}",
                people=(r.giver,),
                names=(p.name,),
                score=float(np.tanh(r.weight_now / GOODWILL_SCALE)),
                reason=f"{p.name} helped you: “{_quote(r.what)}”{when}; nothing given back since",
                draft=(
                    f"Hi {p.first_name}, {opener} {first_person(r.what)}: I never properly thanked you. "
                    "It made a real difference — thank you. If there is ever anything I can do "
                    "for you, just say."
                ),
                facts_time=r.t if np.isfinite(r.t) else 0.0,
            )
        )
    out.sort(key=lambda n: (-n.score, n.key))
    return out


# --------------------------------------------------------------------------- keep warm

CADENCE_DAYS = (7.0, 30.44, 91.3, 365.25)
"""How often each Dunbar layer is kept up (support clique weekly, sympathy group monthly,
affinity group quarterly, active network yearly; Dunbar 2020, Hill & Dunbar 2003)."""
LAYER_WEIGHT = (1.0, 0.8, 0.6, 0.4)
"""Inner layers first: about 60% of social effort goes to the innermost 15 (Dunbar 2020)."""
OVERDUE_FULL = 3.0
"""A tie three cadences overdue scores its layer's full weight."""


def keep_warm_nudges(
    people: Sequence[Traits],
    layer: NDArray[np.int8],
    last_t: F64,
    now: float,
    *,
    exclude: NDArray[np.bool_] | None = None,
) -> list[Nudge]:
    """Ties overdue for their layer's cadence: silence longer than the cadence.

    ``layer`` is each person's Dunbar layer (0 innermost, −1 outside) by their contact rate in
    the year before their last contact, so a silence does not demote them. Score:
    ``layer weight × min(1, silence / (3 × cadence))``. ``exclude`` drops ties (e.g. dormant
    ones, which are reconnect nudges instead). Any real interaction resets the clock.
    """
    lay = np.asarray(layer, dtype=np.int64)
    last = np.asarray(last_t, dtype=np.float64)
    if not len(people) == len(lay) == len(last):
        raise InvalidInput("people, layers and last contacts have different lengths")
    out = []
    for i, p in enumerate(people):
        if lay[i] < 0 or not np.isfinite(last[i]) or (exclude is not None and exclude[i]):
            continue
        cadence = CADENCE_DAYS[lay[i]]
        silence = (now - last[i]) / DAY
        if silence <= cadence:
            continue
        score = LAYER_WEIGHT[lay[i]] * min(1.0, silence / (OVERDUE_FULL * cadence))
        every = ("week", "month", "quarter", "year")[lay[i]]
        out.append(
            Nudge(
                kind=NudgeKind.KEEP_WARM,
                key=f"keep-warm:{p.person_id}",
                people=(p.person_id,),
                names=(p.name,),
                score=score,
                reason=(
                    f"usually in touch at least once a {every}; "
                    f"last contact {_span(silence)} ago ({_month(last[i])})"
                ),
                draft=(
                    f"Hi {p.first_name}, I was just thinking of you — how are things"
                    f"{f' at {p.orgs[0]}' if p.orgs else ''}? Anything I can help with at the moment?"
                ),
                facts_time=float(last[i]),
            )
        )
    out.sort(key=lambda n: (-n.score, n.key))
    return out


def layer_before_last(
    contact_times: Mapping[int, F64], people: Sequence[int], thresholds: Sequence[float]
) -> NDArray[np.int8]:
    """Dunbar layer of each person by contacts in the 365 days up to their last contact.

    ``thresholds`` are the contacts per year at least, innermost first (the structure module's
    ``LAYER_MIN_PER_YEAR``); −1 below the last one.
    """
    out = np.full(len(people), -1, dtype=np.int8)
    for i, pid in enumerate(people):
        times = contact_times.get(pid)
        if times is None or not len(times):
            continue
        last = float(np.max(times))
        per_year = int(np.sum(times > last - YEAR))
        for k, lo in enumerate(thresholds):
            if per_year >= lo:
                out[i] = k
                break
    return out


# --------------------------------------------------------------------------- together


def interleave(groups: Sequence[Sequence[Nudge]], limit: int | None) -> list[Nudge]:
    """Round-robin across kinds, each already best first, so no kind crowds out the rest."""
    out: list[Nudge] = []
    depth = max((len(g) for g in groups), default=0)
    for i in range(depth):
        for g in groups:
            if i < len(g):
                out.append(g[i])
                if limit is not None and len(out) >= limit:
                    return out
    return out


def with_state(nudge: Nudge, state: NudgeState | None) -> Nudge:
    """The nudge annotated with the user's decision, if any."""
    if state is None:
        return nudge
    return replace(nudge, status=state.status, until=state.until)
