"""The deterministic synthetic professional world: the demo's data and the models' ground truth.

:func:`build_world` grows one owner's world from a seed. Organisations have heavy-tailed sizes;
people have careers (employment, study, memberships) with dates and titles; friendships come
from overlapping tenure, a preferential-attachment component (hubs) and triadic closure. The
owner ("me", person 0) knows ``contacts`` people across Dunbar-like layers (a few weekly, some
monthly, many yearly, dormant ones silent for 3+ years, and many linked or followed with no
conversation at all), and eight years of email threads, meetings, messages, calls and social
events record those ties. Favours, introductions, goals and asks fill the ledger, and the
founding story (a small favour five years ago to a stranger who only followed afterwards, and
who is close to a hiring manager at the target company) is planted for the demo to find.

Everything is derived from ``seed`` through ``numpy.random.default_rng`` and ``random.Random``
and from the fixed :data:`NOW`: never the clock, never string-hash or set order. Interactions
always involve the owner (they are what the owner's exports would hold), and any two other people
who appear in one interaction are friends in :attr:`World.friendships`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import numpy as np

from weakties.domain.dates import PartialDate
from weakties.domain.goals import (
    Goal,
    GoalStatus,
    GoalTag,
    GoalTagKind,
    Opportunity,
    OpportunityStatus,
)
from weakties.domain.identities import (
    Identity,
    IdentityKind,
    normalize_email,
    normalize_phone,
    normalize_url,
)
from weakties.domain.ledger import (
    Channel,
    Direction,
    Favor,
    FavorSize,
    Interaction,
    InteractionKind,
    Introduction,
    IntroOutcome,
    Participant,
    Role,
)
from weakties.domain.people import (
    Affiliation,
    AffiliationKind,
    Organization,
    OrgKind,
    Person,
    normalize_tag,
)
from weakties.errors import InvalidInput
from weakties.synth import names as vocab

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
"""The fixed "today" of every synthetic world (the last Friday of November 2026)."""

YEAR = 365.25
"""Days in a year: world times are float days relative to :data:`NOW` (negative = past)."""

TARGET_ORG_NAME = "Acme Bank"
TARGET_ROLE = "Senior Product Manager"
STORY_FAVOR = "migrated their email on short notice"
OWNER_CITY = "London"


@dataclass(frozen=True, slots=True)
class Story:
    """The planted founding story, as indices into the :class:`World` lists."""

    helped: int
    favor: int
    hiring_manager: int
    target_org: int
    goal: int
    role: str
    bridge: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class World:
    """A whole synthetic world: people, organisations, the ledger and the ground truth.

    Every ``id`` equals the record's index in its list, and every reference (person, org,
    goal) is such an index. ``friendships`` is the ground-truth "knows" relation (pairs
    ``i < j``, sorted), the owner's ties included.
    """

    seed: int
    now: datetime
    people: list[Person]
    orgs: list[Organization]
    affiliations: list[Affiliation]
    interactions: list[Interaction]
    favors: list[Favor]
    introductions: list[Introduction]
    goals: list[Goal]
    opportunities: list[Opportunity]
    friendships: list[tuple[int, int]]
    story: Story


_TEAM_SIZE = 8
_P_TEAMMATES = 0.6
_P_SCALE = 0.35
_HUB_EDGES_PER_PERSON = 2.0
_CLOSURES_PER_EDGE = 1.0


class Tier(StrEnum):
    """How the owner relates to a contact: a Dunbar-like layer, or a kind of weak tie."""

    FAMILY = "family"  # several times a week, for years
    CLOSE = "close"  # weekly
    GOOD = "good"  # monthly
    ACTIVE = "active"  # every few months
    REGULAR = "regular"  # about once a year
    DORMANT = "dormant"  # strong once, silent for 3+ years
    OCCASIONAL = "occasional"  # a conversation or two, ever
    CONNECTION = "connection"  # linked online, never spoke
    FOLLOW = "follow"  # one follows the other, nothing else


class Origin(StrEnum):
    """Where the owner met a contact; it shapes the tier, the tags and the dormancy."""

    FAMILY = "family"
    STORY = "story"
    JOB1 = "job1"
    JOB2 = "job2"
    JOB3 = "job3"
    SCHOOL = "school"
    COMMUNITY = "community"
    OTHER = "other"


_TIER_ODDS: dict[Origin, dict[Tier, float]] = {
    Origin.JOB3: {
        Tier.CLOSE: 0.06,
        Tier.GOOD: 0.16,
        Tier.ACTIVE: 0.3,
        Tier.REGULAR: 0.22,
        Tier.OCCASIONAL: 0.1,
        Tier.CONNECTION: 0.16,
    },
    Origin.JOB2: {
        Tier.DORMANT: 0.5,
        Tier.REGULAR: 0.1,
        Tier.OCCASIONAL: 0.12,
        Tier.CONNECTION: 0.28,
    },
    Origin.JOB1: {
        Tier.DORMANT: 0.2,
        Tier.REGULAR: 0.1,
        Tier.OCCASIONAL: 0.2,
        Tier.CONNECTION: 0.5,
    },
    Origin.SCHOOL: {
        Tier.CLOSE: 0.03,
        Tier.GOOD: 0.05,
        Tier.REGULAR: 0.15,
        Tier.DORMANT: 0.15,
        Tier.OCCASIONAL: 0.17,
        Tier.CONNECTION: 0.45,
    },
    Origin.COMMUNITY: {
        Tier.DORMANT: 0.3,
        Tier.ACTIVE: 0.1,
        Tier.OCCASIONAL: 0.25,
        Tier.CONNECTION: 0.2,
        Tier.FOLLOW: 0.15,
    },
    Origin.OTHER: {
        Tier.GOOD: 0.008,
        Tier.ACTIVE: 0.035,
        Tier.REGULAR: 0.07,
        Tier.DORMANT: 0.04,
        Tier.OCCASIONAL: 0.2,
        Tier.CONNECTION: 0.5,
        Tier.FOLLOW: 0.147,
    },
}

_CONVERSATION_RATE: dict[Tier, float] = {
    Tier.GOOD: 12.0,
    Tier.ACTIVE: 3.5,
    Tier.REGULAR: 1.1,
}
"""Conversations a year for Poisson tiers (family and close ties follow a rhythm instead)."""

_CHANNEL_MIX: dict[Tier, tuple[tuple[Channel, float], ...]] = {
    Tier.FAMILY: (
        (Channel.MESSAGE, 0.6),
        (Channel.CALL, 0.25),
        (Channel.IN_PERSON, 0.1),
        (Channel.EMAIL, 0.05),
    ),
    Tier.CLOSE: (
        (Channel.MESSAGE, 0.4),
        (Channel.EMAIL, 0.25),
        (Channel.MEETING, 0.15),
        (Channel.CALL, 0.1),
        (Channel.IN_PERSON, 0.1),
    ),
    Tier.GOOD: (
        (Channel.EMAIL, 0.45),
        (Channel.MEETING, 0.25),
        (Channel.MESSAGE, 0.2),
        (Channel.CALL, 0.1),
    ),
    Tier.ACTIVE: (
        (Channel.EMAIL, 0.6),
        (Channel.MEETING, 0.25),
        (Channel.MESSAGE, 0.1),
        (Channel.CALL, 0.05),
    ),
    Tier.REGULAR: ((Channel.EMAIL, 0.75), (Channel.MEETING, 0.15), (Channel.MESSAGE, 0.1)),
    Tier.DORMANT: (
        (Channel.EMAIL, 0.5),
        (Channel.MEETING, 0.3),
        (Channel.MESSAGE, 0.15),
        (Channel.CALL, 0.05),
    ),
    Tier.OCCASIONAL: ((Channel.EMAIL, 0.8), (Channel.MEETING, 0.2)),
}

_SUBJECTS = (
    "Quick question",
    "Catching up",
    "Notes from today",
    "Draft for review",
    "Next steps",
    "Coffee next week?",
    "Project update",
    "Following up",
    "Slides",
    "Thoughts on the proposal",
    "Hiring question",
    "Conference in the spring",
    "Can you take a look?",
    "Contract details",
    "Thank you!",
)
_ONE_TO_ONE_MEETINGS = ("Coffee", "Catch-up", "1:1", "Lunch", "Call", "Walk and talk")
_GROUP_MEETINGS = ("Weekly sync", "Planning", "Retro", "Design review", "Kick-off", "Workshop")
_FAVORS: tuple[tuple[str, FavorSize], ...] = (
    ("reviewed their CV", FavorSize.SMALL),
    ("gave feedback on a pitch deck", FavorSize.SMALL),
    ("shared a job lead", FavorSize.SMALL),
    ("wrote a LinkedIn recommendation", FavorSize.SMALL),
    ("lent a camera for a shoot", FavorSize.SMALL),
    ("mock interview before a final round", FavorSize.MEDIUM),
    ("covered a conference talk at short notice", FavorSize.MEDIUM),
    ("helped fix a production outage on a weekend", FavorSize.MEDIUM),
    ("mentored them for three months", FavorSize.LARGE),
    ("referred them for the role they got", FavorSize.LARGE),
    ("helped them move flat", FavorSize.MEDIUM),
    ("introduced them to their first client", FavorSize.LARGE),
)


@dataclass(frozen=True, slots=True)
class _Org:
    name: str
    kind: OrgKind
    industry: str | None
    domain: str
    city: str
    weight: float


@dataclass(frozen=True, slots=True)
class _Aff:
    person: int
    org: int
    kind: AffiliationKind
    title: str
    start: float
    end: float | None


@dataclass(frozen=True, slots=True)
class _Tie:
    """The owner's tie to one contact: its layer and when it was alive."""

    person: int
    origin: Origin
    tier: Tier
    met: float
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class _Group:
    """People who meet and write together with the owner (a team, a client, a circle)."""

    members: tuple[int, ...]
    start: float
    end: float
    meetings_a_year: float
    threads_a_year: float


@dataclass(frozen=True, slots=True)
class _Event:
    day: float
    seq: int
    channel: Channel
    participants: tuple[Participant, ...]
    kind: InteractionKind
    direction: Direction
    summary: str | None
    thread_key: str | None


def build_world(seed: int = 7, *, contacts: int = 1500, years: int = 8) -> World:
    """Grow the synthetic world of ``seed``: same seed, same world, on any machine."""
    if contacts < 200:
        raise InvalidInput(f"contacts={contacts} is too small", hint="use 200 or more")
    if not 6 <= years <= 30:
        raise InvalidInput(f"years={years} is out of range", hint="use 6 to 30")
    return _WorldBuilder(seed, contacts, years).build()


def _day(year: int, month: int, day: int = 1) -> float:
    """Days from :data:`NOW` to noon UTC of a calendar day."""
    return (datetime(year, month, day, 12, tzinfo=UTC) - NOW).total_seconds() / 86400.0


def _moment(day: float) -> datetime:
    return NOW + timedelta(seconds=round(day * 86400.0))


def _partial(day: float, precision: int) -> PartialDate:
    """The calendar date of ``day`` kept to ``precision`` parts (1 year, 2 month, 3 day)."""
    when = _moment(day).date()
    if precision <= 1:
        return PartialDate(when.year)
    if precision == 2:
        return PartialDate(when.year, when.month)
    return PartialDate(when.year, when.month, when.day)


class _WorldBuilder:
    """Grows a world step by step; one instance builds one world."""

    def __init__(self, seed: int, contacts: int, years: int) -> None:
        self.seed = seed
        self.n_contacts = contacts
        self.history_start = -years * YEAR
        self.rng = np.random.default_rng(seed)
        self.r = random.Random(seed)
        self.n = 1 + contacts + round(1.6 * contacts)
        self.orgs: list[_Org] = []
        self.org_names: set[str] = set()
        self.affs: list[list[_Aff]] = []
        self.adj: list[list[int]] = [[] for _ in range(self.n)]
        self.edge_keys: set[int] = set()
        self.events: list[_Event] = []
        self.n_threads = 0
        self.need_email: set[int] = set()
        self.need_phone: set[int] = set()
        self.need_linkedin: set[int] = set()
        self.favors: list[tuple[float, Favor]] = []
        self.intros: list[Introduction] = []
        self.met_through: dict[int, int] = {}

    # ---------------------------------------------------------------- organisations

    def add_org(
        self,
        name: str,
        kind: OrgKind,
        industry: str | None,
        city: str,
        weight: float,
    ) -> int:
        self.org_names.add(name)
        self.orgs.append(_Org(name, kind, industry, vocab.slugify(name) + ".example", city, weight))
        return len(self.orgs) - 1

    def fresh_name(self, make: list[str]) -> str | None:
        for name in make:
            if name not in self.org_names and "Acme" not in name:
                return name
        return None

    def brand(self) -> str:
        if self.r.random() < 0.5:
            return self.r.choice(vocab.BRAND_WORDS)
        return vocab.syllable_word([self.r.randrange(997) for _ in range(3)])

    def make_orgs(self) -> None:
        r = self.r
        city_names = [c for c, _ in vocab.CITIES]
        self.acme = self.add_org(TARGET_ORG_NAME, OrgKind.COMPANY, "fintech", OWNER_CITY, 0.0)
        self.owner_school = self.add_org(
            f"University of {OWNER_CITY}", OrgKind.SCHOOL, "education", OWNER_CITY, 2.0
        )
        counts = {
            OrgKind.COMPANY: max(40, self.n // 5),
            OrgKind.AGENCY: max(8, self.n // 100),
            OrgKind.SCHOOL: max(6, self.n // 60),
            OrgKind.COWORKING: max(3, self.n // 600),
            OrgKind.COMMUNITY: max(6, self.n // 100),
        }
        # a Pareto weight per organisation gives heavy-tailed head counts
        for kind, count in counts.items():
            made = misses = 0
            # stop when a kind's names run out (schools: patterns × cities)
            while made < count and misses < 200:
                city = OWNER_CITY if r.random() < 0.5 else r.choice(city_names)
                industry: str | None
                if kind is OrgKind.COMPANY:
                    industry = r.choice(vocab.INDUSTRIES)
                    suffixes = vocab.INDUSTRY_SUFFIXES[industry]
                    name = self.fresh_name([f"{self.brand()} {r.choice(suffixes)}"])
                elif kind is OrgKind.AGENCY:
                    industry = r.choice(("media", "consulting", "software"))
                    name = self.fresh_name([f"{self.brand()} {r.choice(vocab.AGENCY_SUFFIXES)}"])
                elif kind is OrgKind.SCHOOL:
                    industry = "education"
                    name = self.fresh_name(
                        [p.format(city=city) for p in r.sample(vocab.SCHOOL_PATTERNS, 4)]
                    )
                elif kind is OrgKind.COWORKING:
                    industry = None
                    pattern = r.choice(vocab.COWORKING_PATTERNS)
                    name = self.fresh_name([pattern.format(w=self.brand())])
                else:
                    industry = None
                    name = self.fresh_name(
                        [p.format(city=city) for p in r.sample(vocab.COMMUNITY_PATTERNS, 8)]
                    )
                if name is None:
                    misses += 1
                    continue
                weight = min(15.0, 1.0 + float(self.rng.pareto(1.3)))
                self.add_org(name, kind, industry, city, weight)
                made += 1
        brand = self.brand
        self.job1_org = self.add_org(
            self.fresh_name([f"{brand()} Digital", f"{brand()} Studio"]) or "Quillon Digital",
            OrgKind.AGENCY,
            "media",
            OWNER_CITY,
            1.5,
        )
        self.job2_org = self.add_org(
            self.fresh_name([f"{brand()} Software", f"{brand()} Systems"]) or "Vellmont Systems",
            OrgKind.COMPANY,
            "software",
            OWNER_CITY,
            2.0,
        )
        self.job3_org = self.add_org(
            self.fresh_name([f"{brand()} Market", f"{brand()} Goods"]) or "Daxfen Market",
            OrgKind.COMPANY,
            "retail",
            OWNER_CITY,
            2.0,
        )
        self.community_org = self.add_org(
            self.fresh_name([f"{OWNER_CITY} Product Circle", f"{OWNER_CITY} Product Guild"])
            or f"{OWNER_CITY} Product People",
            OrgKind.COMMUNITY,
            None,
            OWNER_CITY,
            1.0,
        )
        self.bridge_org = self.add_org(
            self.fresh_name([f"{brand()} Payments", f"{brand()} Ledger"]) or "Brellix Payments",
            OrgKind.COMPANY,
            "fintech",
            OWNER_CITY,
            1.0,
        )
        self.helped_org = self.add_org(
            self.fresh_name([f"{brand()} Couriers", f"{brand()} Freight"]) or "Corvane Couriers",
            OrgKind.COMPANY,
            "logistics",
            "Bristol",
            0.0,
        )

    # ---------------------------------------------------------------- people and careers

    def make_people(self) -> None:
        n, rng = self.n, self.rng
        self.given = [vocab.GIVEN_NAMES[i] for i in rng.integers(len(vocab.GIVEN_NAMES), size=n)]
        self.family = [vocab.FAMILY_NAMES[i] for i in rng.integers(len(vocab.FAMILY_NAMES), size=n)]
        cities = [c for c, _ in vocab.CITIES]
        self.city = [
            OWNER_CITY if x < 0.55 else cities[int(k)]
            for x, k in zip(rng.random(n), rng.integers(len(cities), size=n), strict=True)
        ]
        shares = np.array([0.24, 0.13, 0.1, 0.1, 0.1, 0.08, 0.1, 0.08, 0.07])
        self.function = [
            vocab.FUNCTIONS[i] for i in rng.choice(len(vocab.FUNCTIONS), size=n, p=shares)
        ]
        # activity: Pareto, so a few people are hubs who know many
        self.theta = np.minimum(40.0, 1.0 + rng.pareto(1.5, size=n))
        self.career_start = -(NOW.year + 0.9 - rng.uniform(1994.0, 2024.5, size=n)) * YEAR
        self.affs = [[] for _ in range(n)]
        kinds = [o.kind for o in self.orgs]
        weights = [o.weight for o in self.orgs]
        employers = [i for i, k in enumerate(kinds) if k in (OrgKind.COMPANY, OrgKind.AGENCY)]
        employer_cum = list(np.cumsum([weights[i] for i in employers]))
        schools = [i for i, k in enumerate(kinds) if k is OrgKind.SCHOOL]
        school_cum = list(np.cumsum([weights[i] for i in schools]))
        schools_in: dict[str, list[int]] = {}
        for i in schools:
            schools_in.setdefault(self.orgs[i].city, []).append(i)
        circles = [i for i, k in enumerate(kinds) if k is OrgKind.COMMUNITY]
        circle_cum = list(np.cumsum([weights[i] for i in circles]))
        spaces = [i for i, k in enumerate(kinds) if k is OrgKind.COWORKING]
        r = self.r
        for p in range(1, n):
            start = float(self.career_start[p])
            ladder = vocab.TITLE_LADDERS[self.function[p]]
            if r.random() < 0.75:
                local = schools_in.get(self.city[p])
                if local and r.random() < 0.7:
                    school = r.choice(local)
                else:
                    school = r.choices(schools, cum_weights=school_cum)[0]
                degree = r.choice(vocab.STUDY_TITLES)
                self.affs[p].append(
                    _Aff(p, school, AffiliationKind.STUDY, degree, start - 3.7 * YEAR, start)
                )
            t = start + r.uniform(0.0, 0.3) * YEAR
            while t < -20.0:
                org = r.choices(employers, cum_weights=employer_cum)[0]
                level = (t - start) / YEAR / 3.0 + r.gauss(0.0, 0.6)
                title = ladder[min(6, max(0, int(level)))]
                end: float | None = t + (1.0 + r.gammavariate(2.0, 1.6)) * YEAR
                if end is not None and end >= 0.0:
                    end = None if r.random() < 0.93 else -r.uniform(20.0, 300.0)
                    if end is not None and end <= t:
                        end = None
                self.affs[p].append(_Aff(p, org, AffiliationKind.EMPLOYMENT, title, t, end))
                if end is None:
                    break
                t = end + r.uniform(0.0, 0.3) * YEAR
            for pool, cum, share in ((circles, circle_cum, 0.3), (spaces, None, 0.1)):
                if pool and r.random() < share:
                    org = r.choices(pool, cum_weights=cum)[0] if cum else r.choice(pool)
                    joined = r.uniform(max(start, -15 * YEAR), -30.0)
                    left = None if r.random() < 0.5 else r.uniform(joined + 60.0, 0.0)
                    self.affs[p].append(
                        _Aff(p, org, AffiliationKind.MEMBERSHIP, "Member", joined, left)
                    )

    def reassign(self, person: int, org: int, lo: float, hi: float) -> _Aff | None:
        """Move the person's job that overlaps [lo, hi] most to ``org``; None if none does."""
        best, best_overlap = -1, 30.0
        for k, a in enumerate(self.affs[person]):
            if a.kind is not AffiliationKind.EMPLOYMENT:
                continue
            overlap = min(hi, 0.0 if a.end is None else a.end) - max(lo, a.start)
            if overlap > best_overlap:
                best, best_overlap = k, overlap
        if best < 0:
            return None
        moved = replace(self.affs[person][best], org=org)
        self.affs[person][best] = moved
        return moved

    def plant_owner(self) -> None:
        """The owner: a university, an agency, a software company, now product at a retailer."""
        a = AffiliationKind
        self.owner_spans: dict[Origin, tuple[int, float, float]] = {
            Origin.SCHOOL: (self.owner_school, _day(2008, 9), _day(2012, 6, 30)),
            Origin.JOB1: (self.job1_org, _day(2012, 9), _day(2016, 2, 28)),
            Origin.JOB2: (self.job2_org, _day(2016, 3), _day(2021, 7, 31)),
            Origin.JOB3: (self.job3_org, _day(2021, 9), 0.0),
            Origin.COMMUNITY: (self.community_org, _day(2017, 1), _day(2022, 6, 30)),
        }
        spans = self.owner_spans
        self.affs[0] = [
            _Aff(0, self.owner_school, a.STUDY, "BSc", *spans[Origin.SCHOOL][1:]),
            _Aff(0, self.job1_org, a.EMPLOYMENT, "Web Developer", *spans[Origin.JOB1][1:]),
            _Aff(0, self.job2_org, a.EMPLOYMENT, "Solutions Engineer", *spans[Origin.JOB2][1:]),
            _Aff(0, self.job3_org, a.EMPLOYMENT, "Product Manager", spans[Origin.JOB3][1], None),
            _Aff(0, self.community_org, a.MEMBERSHIP, "Organiser", *spans[Origin.COMMUNITY][1:]),
        ]
        self.function[0], self.city[0] = "product", OWNER_CITY
        self.theta[0] = 1.0

    def plant_story_people(self) -> None:
        """The helped stranger, the hiring manager, and the target company's staff."""
        r, a = self.r, AffiliationKind
        people = list(range(1, self.n))
        r.shuffle(people)
        product = [p for p in people if self.function[p] == "product"]
        ops = [p for p in people if self.function[p] == "operations"]
        self.manager, self.helped = product[0], ops[0]
        self.reserved: set[int] = {self.manager, self.helped}
        firsts = [
            i
            for i, o in enumerate(self.orgs[: self.job1_org])
            if o.kind is OrgKind.COMPANY and o.weight > 0
        ]
        m, h = self.manager, self.helped
        self.affs[m] = [
            _Aff(
                m, r.choice(firsts), a.EMPLOYMENT, "Product Manager", _day(2009, 5), _day(2013, 8)
            ),
            _Aff(
                m,
                self.bridge_org,
                a.EMPLOYMENT,
                "Senior Product Manager",
                _day(2013, 9),
                _day(2019, 1),
            ),
            _Aff(m, self.acme, a.EMPLOYMENT, "Head of Product", _day(2019, 2), None),
        ]
        self.affs[h] = [
            _Aff(
                h,
                r.choice(firsts),
                a.EMPLOYMENT,
                "Operations Associate",
                _day(2010, 7),
                _day(2014, 2),
            ),
            _Aff(
                h, self.bridge_org, a.EMPLOYMENT, "Operations Analyst", _day(2014, 3), _day(2018, 5)
            ),
            _Aff(h, self.helped_org, a.EMPLOYMENT, "Head of Operations", _day(2018, 6), None),
        ]
        self.city[h] = "Bristol"
        self.city[m] = OWNER_CITY
        rest = [p for p in people if p not in self.reserved]
        k = 0
        # the target's current staff, a few alumni, and the helped person's small team
        for p in rest:
            if k >= max(20, self.n // 130):
                break
            if (
                self.affs[p]
                and self.affs[p][-1].end is None
                and self.affs[p][-1].kind is a.EMPLOYMENT
            ):
                last = self.affs[p][-1]
                ladder = vocab.TITLE_LADDERS[self.function[p]]
                title = (
                    ladder[min(3, ladder.index(last.title))] if last.title in ladder else last.title
                )
                self.affs[p][-1] = replace(last, org=self.acme, title=title)
                self.reserved.add(p)
                k += 1
        for p in rest[k : k + 8]:
            if self.reassign(p, self.acme, _day(2012, 1), _day(2023, 1)) is not None:
                self.reserved.add(p)
        team = [p for p in rest[k + 8 :] if self.affs[p] and self.affs[p][-1].end is None][:4]
        for p in team:
            self.affs[p][-1] = replace(self.affs[p][-1], org=self.helped_org)
            self.reserved.add(p)

    def plant_colleagues(self) -> dict[Origin, list[int]]:
        """People whose path crossed the owner's at each school, job and community."""
        r = self.r
        share = {
            Origin.JOB1: 0.035,
            Origin.JOB2: 0.055,
            Origin.JOB3: 0.05,
            Origin.SCHOOL: 0.05,
            Origin.COMMUNITY: 0.05,
        }
        free = [p for p in range(1, self.n) if p not in self.reserved]
        r.shuffle(free)
        planted: dict[Origin, list[int]] = {}
        used: set[int] = set()
        for origin, fraction in share.items():
            org, lo, hi = self.owner_spans[origin]
            want = round(fraction * self.n_contacts)
            got: list[int] = []
            for p in free:
                if len(got) >= want:
                    break
                if p in used:
                    continue
                if origin is Origin.SCHOOL:
                    study = [
                        k for k, x in enumerate(self.affs[p]) if x.kind is AffiliationKind.STUDY
                    ]
                    if not study:
                        continue
                    x = self.affs[p][study[0]]
                    if not (x.start < hi - 100 and (x.end or 0.0) > lo + 100):
                        continue
                    self.affs[p][study[0]] = replace(x, org=org)
                elif origin is Origin.COMMUNITY:
                    joined = r.uniform(lo - 2 * YEAR, hi - 120)
                    left = None if r.random() < 0.4 else r.uniform(max(joined, lo) + 120, 0.0)
                    self.affs[p].append(
                        _Aff(p, org, AffiliationKind.MEMBERSHIP, "Member", joined, left)
                    )
                elif self.reassign(p, org, lo, hi) is None:
                    continue
                got.append(p)
                used.add(p)
            planted[origin] = got
        return planted

    # ---------------------------------------------------------------- friendships

    def link(self, u: int, v: int) -> bool:
        if u == v:
            return False
        key = u * self.n + v if u < v else v * self.n + u
        if key in self.edge_keys:
            return False
        self.edge_keys.add(key)
        self.adj[u].append(v)
        self.adj[v].append(u)
        return True

    def knows(self, u: int, v: int) -> bool:
        key = u * self.n + v if u < v else v * self.n + u
        return key in self.edge_keys

    def make_friendships(self) -> None:
        """Overlapping tenure, then hubs (preferential attachment), then triadic closure."""
        rng, n = self.rng, self.n
        by_org: list[list[_Aff]] = [[] for _ in self.orgs]
        for p in range(1, n):
            for x in self.affs[p]:
                by_org[x.org].append(x)
        # within an organisation people know their team well and a few others across it
        reach = {
            OrgKind.COMPANY: 1.0,
            OrgKind.AGENCY: 1.0,
            OrgKind.SCHOOL: 1.0,
            OrgKind.COMMUNITY: 1.0,
            OrgKind.COWORKING: 1.0,
            OrgKind.OTHER: 1.0,
        }
        sociable = np.clip(self.theta / np.median(self.theta), 0.3, 3.0)
        for org, members in enumerate(by_org):
            if len(members) < 2:
                continue
            who = np.array([x.person for x in members])
            start = np.array([x.start for x in members])
            end = np.array([0.0 if x.end is None else x.end for x in members])
            team = rng.integers(max(1, len(members) // _TEAM_SIZE), size=len(members))
            overlap = np.minimum(end[:, None], end[None, :]) - np.maximum(
                start[:, None], start[None, :]
            )
            together = overlap > 60.0
            peers = together.sum(axis=1) - 1
            p_across = min(0.5, reach[self.orgs[org].kind] / max(1.0, float(peers.mean())))
            i, j = np.triu_indices(len(members), 1)
            p_pair = np.where(team[i] == team[j], _P_TEAMMATES, p_across)
            # sociable people make more of the same workplace: heterogeneous degrees
            p_pair = np.minimum(0.9, _P_SCALE * p_pair * sociable[who[i]] * sociable[who[j]])
            keep = together[i, j] & (rng.random(len(i)) < p_pair)
            for u, v in zip(who[i[keep]].tolist(), who[j[keep]].tolist(), strict=True):
                self.link(u, v)
        weights = self.theta[1:] / self.theta[1:].sum()
        m = int(_HUB_EDGES_PER_PERSON * n)
        us = rng.choice(n - 1, size=m, p=weights) + 1
        vs = rng.choice(n - 1, size=m, p=weights) + 1
        for u, v in zip(us.tolist(), vs.tolist(), strict=True):
            self.link(u, v)
        self.link(self.helped, self.manager)
        edges = [(u, v) for u in range(1, n) for v in self.adj[u] if u < v]
        closures = int(_CLOSURES_PER_EDGE * len(edges))
        picks = rng.integers(len(edges), size=closures)
        sides = rng.random(closures) < 0.5
        steps = rng.random(closures)
        for k in range(closures):
            u, v = edges[int(picks[k])]
            if sides[k]:
                u, v = v, u
            friends = self.adj[v]
            w = friends[int(steps[k] * len(friends))]
            self.link(u, w)

    # ---------------------------------------------------------------- the owner's ties

    def choose_contacts(self, planted: dict[Origin, list[int]]) -> dict[int, Origin]:
        r = self.r
        excluded = set(self.reserved) | set(self.adj[self.helped])
        excluded.discard(self.helped)
        chosen: dict[int, Origin] = {}
        free = [p for p in range(1, self.n) if p not in excluded]
        r.shuffle(free)
        family = free[:5]
        owner_family = self.family[0]
        for k, p in enumerate(family):
            chosen[p] = Origin.FAMILY
            if k < 3:
                self.family[p] = owner_family
            self.city[p] = OWNER_CITY if k < 4 else self.city[p]
        for a in family:
            for b in family:
                if a < b:
                    self.link(a, b)
        chosen[self.helped] = Origin.STORY
        keep = {
            Origin.JOB1: 0.8,
            Origin.JOB2: 0.85,
            Origin.JOB3: 0.9,
            Origin.SCHOOL: 0.65,
            Origin.COMMUNITY: 0.75,
        }
        for origin, people in planted.items():
            for p in people:
                if p not in excluded and p not in chosen and r.random() < keep[origin]:
                    chosen[p] = origin
        order = list(chosen)
        weights = self.theta / self.theta.sum()
        draws = self.rng.choice(self.n, size=8 * self.n_contacts, p=weights).tolist()
        d = 0
        while len(chosen) < self.n_contacts:
            if r.random() < 0.6:
                via = order[r.randrange(len(order))]
                if via == self.helped or not self.adj[via]:
                    continue
                p = self.adj[via][r.randrange(len(self.adj[via]))]
            else:
                p, d = draws[d % len(draws)], d + 1
            if p == 0 or p in chosen or p in excluded:
                continue
            chosen[p] = Origin.OTHER
            order.append(p)
        if len(chosen) > self.n_contacts:
            drop = [p for p in order if chosen[p] is not Origin.STORY][self.n_contacts :]
            for p in drop:
                del chosen[p]
        return chosen

    def make_ties(self, chosen: dict[int, Origin]) -> dict[int, _Tie]:
        r, hist = self.r, self.history_start
        ties: dict[int, _Tie] = {}
        for p in sorted(chosen):
            origin = chosen[p]
            if origin is Origin.FAMILY:
                tier = (
                    Tier.FAMILY
                    if len([t for t in ties.values() if t.tier is Tier.FAMILY]) < 4
                    else Tier.GOOD
                )
                ties[p] = _Tie(p, origin, tier, -30 * YEAR, hist, 0.0)
                continue
            if origin is Origin.STORY:
                continue
            odds = _TIER_ODDS[origin]
            tier = r.choices(list(odds), weights=list(odds.values()))[0]
            if origin in self.owner_spans:
                org, lo, hi = self.owner_spans[origin]
                theirs = [x for x in self.affs[p] if x.org == org]
                met = max(lo, theirs[0].start if theirs else lo)
            else:
                met = r.uniform(-16 * YEAR, -20.0)
                org, lo, hi = -1, met, 0.0
            start, end = max(hist, met), 0.0
            if tier is Tier.DORMANT:
                if origin in (Origin.JOB2, Origin.COMMUNITY):
                    end = hi + r.uniform(0.0, 120.0)
                else:
                    end = -3.3 * YEAR - r.uniform(0.0, 2.5) * YEAR
                    met = min(met, end - YEAR)
                    start = max(hist, end - r.uniform(1.0, 3.0) * YEAR, met)
                if end - start < 200.0:
                    start = end - r.uniform(200.0, 500.0)
                    met = min(met, start)
                if end > -3.05 * YEAR:
                    tier = Tier.OCCASIONAL
                    start, end = max(hist, met), 0.0
            ties[p] = _Tie(p, origin, tier, met, start, end)
        return ties

    # ---------------------------------------------------------------- interactions

    def emit(
        self,
        day: float,
        channel: Channel,
        parts: list[tuple[int, Role]],
        *,
        kind: InteractionKind = InteractionKind.CONVERSATION,
        direction: Direction = Direction.UNKNOWN,
        summary: str | None = None,
        thread_key: str | None = None,
    ) -> None:
        day = min(day, -0.01)
        participants = tuple(Participant(p, role) for p, role in parts)
        self.events.append(
            _Event(
                day, len(self.events), channel, participants, kind, direction, summary, thread_key
            )
        )
        people = [p for p, _ in parts]
        if channel in (Channel.EMAIL, Channel.MEETING):
            self.need_email.update(people)
        elif channel in (Channel.MESSAGE, Channel.CALL):
            self.need_phone.update(people)
        elif channel is Channel.SOCIAL:
            self.need_linkedin.update(people)

    def working_time(self, day: float) -> float:
        """Move an instant into working hours (09:00–18:00 UTC) on the same day."""
        base = math.floor(day + 0.5) - 0.5  # midnight, since day 0 is noon
        return base + self.r.uniform(9.0, 18.0) / 24.0

    def thread(
        self,
        day: float,
        sender: int,
        to: list[int],
        cc: list[int],
        messages: int,
        subject: str,
    ) -> None:
        """An email thread; replies alternate between the people on it and reply to all."""
        self.n_threads += 1
        key = f"thread-{self.seed}-{self.n_threads:06d}@mail.example"
        t = self.working_time(day)
        on_thread = [sender, *to]
        for k in range(messages):
            others = [p for p in on_thread if p != sender]
            parts = [(sender, Role.FROM)] + [(p, Role.TO) for p in others]
            parts += [(p, Role.CC) for p in cc if p != sender]
            self.emit(
                t,
                Channel.EMAIL,
                parts,
                direction=Direction.OUTBOUND if sender == 0 else Direction.INBOUND,
                summary=subject if k == 0 else f"Re: {subject}",
                thread_key=key,
            )
            t += self.r.uniform(0.02, 2.0)
            previous = sender
            candidates = [p for p in on_thread if p != previous]
            sender = candidates[self.r.randrange(len(candidates))]

    def conversation(self, tie: _Tie, day: float, outbound: bool) -> None:
        """One exchange between the owner and a contact on a channel their layer favours."""
        r, p = self.r, tie.person
        mix = _CHANNEL_MIX[tie.tier]
        channel = r.choices([c for c, _ in mix], weights=[w for _, w in mix])[0]
        first, second = (0, p) if outbound else (p, 0)
        direction = Direction.OUTBOUND if outbound else Direction.INBOUND
        if channel is Channel.EMAIL:
            cc: list[int] = []
            if r.random() < 0.2 and self.adj[p]:
                friend = self.adj[p][r.randrange(len(self.adj[p]))]
                # the target's staff and the story's people stay out of the owner's mail, or
                # the planted path would have a shortcut through a CC
                if friend != 0 and friend not in self.reserved:
                    cc = [friend]
            length = r.choices((1, 2, 3, 4, 5), weights=(35, 35, 15, 10, 5))[0]
            self.thread(day, first, [second], cc, length, r.choice(_SUBJECTS))
        elif channel is Channel.MEETING:
            t = math.floor(self.working_time(day) * 48) / 48
            self.emit(
                t,
                channel,
                [(first, Role.ORGANIZER), (second, Role.ATTENDEE)],
                direction=direction,
                summary=r.choice(_ONE_TO_ONE_MEETINGS),
            )
        elif channel is Channel.MESSAGE:
            t = day
            for k in range(r.choice((1, 1, 2, 3, 4))):
                sender, receiver = (first, second) if k % 2 == 0 else (second, first)
                self.emit(
                    t,
                    channel,
                    [(sender, Role.FROM), (receiver, Role.TO)],
                    direction=Direction.OUTBOUND if sender == 0 else Direction.INBOUND,
                )
                t += r.uniform(0.001, 0.1)
        elif channel is Channel.CALL:
            self.emit(day, channel, [(first, Role.FROM), (second, Role.TO)], direction=direction)
        else:
            self.emit(
                day,
                channel,
                [(0, Role.PARTICIPANT), (p, Role.PARTICIPANT)],
                direction=Direction.MUTUAL,
                summary=r.choice(("Dinner", "Lunch", "Drinks", "Walk")),
            )

    def tie_times(self, tie: _Tie) -> list[float]:
        """When the owner and a contact spoke: a rhythm for close ties, Poisson otherwise."""
        r = self.r
        if tie.tier in (Tier.FAMILY, Tier.CLOSE):
            low, high = (2.0, 8.0) if tie.tier is Tier.FAMILY else (3.0, 9.0)
            times, t = [], tie.start + r.uniform(0.0, high)
            while t < tie.end:
                times.append(t)
                t += r.uniform(low, high)
            return times
        if tie.tier is Tier.OCCASIONAL:
            return sorted(r.uniform(tie.start, tie.end) for _ in range(r.choice((1, 1, 2, 3))))
        rate = _CONVERSATION_RATE.get(tie.tier, 0.0)
        if tie.tier is Tier.DORMANT:
            rate = r.uniform(8.0, 20.0)
        count = int(self.rng.poisson(rate * (tie.end - tie.start) / YEAR))
        return sorted(r.uniform(tie.start, tie.end) for _ in range(count))

    def social(self, tie: _Tie) -> None:
        """Connections, follows, likes and endorsements: ties with or without conversation."""
        r, p = self.r, tie.person
        if tie.tier is Tier.FOLLOW:
            inbound = r.random() < 0.7
            follower, followed = (p, 0) if inbound else (0, p)
            day = r.uniform(max(tie.met, self.history_start), -1.0)
            self.emit(
                day,
                Channel.SOCIAL,
                [(follower, Role.FROM), (followed, Role.TO)],
                kind=InteractionKind.FOLLOW,
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            )
            self.likes(p, day, r.choice((0, 0, 1, 2, 3)))
            return
        linked = tie.tier is Tier.CONNECTION or r.random() < 0.7
        if not linked:
            return
        day = max(tie.met + r.uniform(1.0, 60.0), -14 * YEAR)
        inviter, invitee = (0, p) if r.random() < 0.5 else (p, 0)
        self.emit(
            min(day, -1.0),
            Channel.SOCIAL,
            [(inviter, Role.FROM), (invitee, Role.TO)],
            kind=InteractionKind.CONNECTION,
            direction=Direction.OUTBOUND if inviter == 0 else Direction.INBOUND,
            summary="LinkedIn connection",
        )
        if tie.tier is Tier.CONNECTION and r.random() < 0.3:
            self.likes(p, max(day, self.history_start), r.choice((1, 1, 2, 3)))
        if tie.tier in (Tier.CLOSE, Tier.GOOD, Tier.ACTIVE, Tier.DORMANT) and r.random() < 0.25:
            giver, receiver = (p, 0) if r.random() < 0.6 else (0, p)
            self.emit(
                r.uniform(max(day, self.history_start), -1.0),
                Channel.SOCIAL,
                [(giver, Role.FROM), (receiver, Role.TO)],
                kind=InteractionKind.ENDORSEMENT,
                direction=Direction.INBOUND if giver == p else Direction.OUTBOUND,
                summary="Endorsed a skill",
            )

    def likes(self, p: int, after: float, count: int) -> None:
        for _ in range(count):
            inbound = self.r.random() < 0.75
            self.emit(
                self.r.uniform(max(after, self.history_start), -1.0),
                Channel.SOCIAL,
                [(p, Role.FROM), (0, Role.TO)] if inbound else [(0, Role.FROM), (p, Role.TO)],
                kind=InteractionKind.LIKE,
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                summary="Liked a post",
            )

    def make_groups(self, ties: dict[int, _Tie], chosen: dict[int, Origin]) -> list[_Group]:
        """Teams at the owner's jobs, client teams and the community circle; all know each other."""
        r, hist = self.r, self.history_start
        groups: list[_Group] = []
        active = (Tier.CLOSE, Tier.GOOD, Tier.ACTIVE)

        def second_degree_at(org: int, lo: float, hi: float) -> list[int]:
            found = []
            for x in self.by_org_affs.get(org, []):
                if x.person in chosen or x.person in self.reserved or x.person == 0:
                    continue
                if x.start < hi and (0.0 if x.end is None else x.end) > lo:
                    found.append(x.person)
            return sorted(set(found))

        specs = (
            (Origin.JOB3, active, 20.0, 8.0, (3, 7)),
            (Origin.JOB2, (Tier.DORMANT,), 20.0, 8.0, (3, 7)),
            (Origin.COMMUNITY, (Tier.DORMANT, Tier.ACTIVE), 6.0, 4.0, (4, 9)),
        )
        for origin, tiers, meetings, threads, (small, large) in specs:
            org, lo, hi = self.owner_spans[origin]
            pool = sorted(p for p, t in ties.items() if t.origin is origin and t.tier in tiers)
            r.shuffle(pool)
            outsiders = second_degree_at(org, max(lo, hist), hi)
            while len(pool) >= 2:
                size = min(len(pool), r.randint(small, large))
                members, pool = pool[:size], pool[size:]
                extra = r.sample(outsiders, min(len(outsiders), r.choice((0, 1, 2))))
                start = max(hist, lo, min(ties[p].start for p in members))
                end = min(hi, max(ties[p].end for p in members))
                groups.append(_Group(tuple(members + extra), start, end, meetings, threads))
        anchors = sorted(
            p
            for p, t in ties.items()
            if t.origin is Origin.OTHER and t.tier in (Tier.ACTIVE, Tier.GOOD)
        )
        for p in anchors:
            mates = sorted(
                q for q in self.adj[p] if q != 0 and q not in chosen and q not in self.reserved
            )
            if len(mates) < 1:
                continue
            extra = r.sample(mates, min(len(mates), r.randint(1, 4)))
            span = r.uniform(1.0, 2.5) * YEAR
            start = r.uniform(ties[p].start, max(ties[p].start, ties[p].end - span))
            groups.append(_Group((p, *extra), start, min(0.0, start + span), 8.0, 6.0))
        for g in groups:
            for a in g.members:
                for b in g.members:
                    if a < b:
                        self.link(a, b)
        return groups

    def group_events(self, group: _Group, ties: dict[int, _Tie]) -> None:
        r = self.r
        span = (group.end - group.start) / YEAR
        for rate, is_meeting in ((group.meetings_a_year, True), (group.threads_a_year, False)):
            for _ in range(int(self.rng.poisson(rate * max(0.0, span)))):
                day = r.uniform(group.start, group.end)
                present = [
                    p for p in group.members if p not in ties or ties[p].start <= day <= ties[p].end
                ]
                present = [p for p in present if r.random() < 0.85]
                if not present:
                    continue
                if is_meeting:
                    organiser = 0 if r.random() < 0.5 else r.choice(present)
                    parts = [(organiser, Role.ORGANIZER)]
                    parts += [(p, Role.ATTENDEE) for p in [0, *present] if p != organiser]
                    self.emit(
                        math.floor(self.working_time(day) * 48) / 48,
                        Channel.MEETING,
                        parts,
                        direction=Direction.OUTBOUND if organiser == 0 else Direction.INBOUND,
                        summary=r.choice(_GROUP_MEETINGS),
                    )
                else:
                    sender = 0 if r.random() < 0.5 else r.choice(present)
                    others = [p for p in [0, *present] if p != sender]
                    to, cc = others[:2], others[2:]
                    length = r.choice((1, 2, 2, 3, 4))
                    self.thread(day, sender, to, cc, length, r.choice(_SUBJECTS))

    def story_events(self, ties: dict[int, _Tie]) -> float:
        """The favour's email thread, then only a follow and some likes: returns its day.

        The helped person writes out of the blue, sent by their former colleague, the hiring
        manager, who is on none of the messages; the owner's address book remembers who
        referred them (see :mod:`weakties.synth.exports`).
        """
        r, h = self.r, self.helped
        favour_day = -5 * YEAR + r.uniform(-20.0, 20.0)
        self.n_threads += 1
        key = f"thread-{self.seed}-{self.n_threads:06d}@mail.example"
        subject = "Urgent: moving our email before Monday"
        base = math.floor(favour_day + 0.5) - 0.5
        for offset, sender in ((8.3 / 24, h), (9.1 / 24, 0), (17.6 / 24, 0), (19.2 / 24, h)):
            other = 0 if sender == h else h
            self.emit(
                base + offset,
                Channel.EMAIL,
                [(sender, Role.FROM), (other, Role.TO)],
                direction=Direction.OUTBOUND if sender == 0 else Direction.INBOUND,
                summary=subject if sender == h and offset < 0.5 else f"Re: {subject}",
                thread_key=key,
            )
        follow = base + r.uniform(3.0, 10.0)
        self.emit(
            follow,
            Channel.SOCIAL,
            [(h, Role.FROM), (0, Role.TO)],
            kind=InteractionKind.FOLLOW,
            direction=Direction.INBOUND,
            summary="Followed on LinkedIn",
        )
        for _ in range(r.randint(3, 6)):
            self.emit(
                r.uniform(follow + 30.0, -10.0),
                Channel.SOCIAL,
                [(h, Role.FROM), (0, Role.TO)],
                kind=InteractionKind.LIKE,
                direction=Direction.INBOUND,
                summary="Liked a post",
            )
        when = _partial(base, 3)
        self.favors.append((base, Favor(0, h, STORY_FAVOR, when=when, size=FavorSize.SMALL)))
        ties[h] = _Tie(h, Origin.STORY, Tier.FOLLOW, base - 1.0, base - 1.0, base)
        return base

    # ---------------------------------------------------------------- the ledger

    def make_favors(self, ties: dict[int, _Tie]) -> None:
        r = self.r
        warm = sorted(
            p
            for p, t in ties.items()
            if t.tier
            in (Tier.FAMILY, Tier.CLOSE, Tier.GOOD, Tier.ACTIVE, Tier.REGULAR, Tier.DORMANT)
        )
        for _ in range(round(0.04 * self.n_contacts)):
            p = r.choice(warm)
            what, size = r.choice(_FAVORS)
            day = r.uniform(ties[p].start, ties[p].end)
            giver, receiver = (0, p) if r.random() < 0.5 else (p, 0)
            precision = r.choice((1, 2, 2, 3))
            fav = Favor(giver, receiver, what, when=_partial(day, precision), size=size)
            self.favors.append((day, fav))
        for _ in range(round(0.015 * self.n_contacts)):
            p = r.choice(warm)
            mates = sorted(q for q in self.adj[p] if q in ties and q != self.helped)
            if not mates:
                continue
            q = r.choice(mates)
            what, size = r.choice(_FAVORS)
            day = r.uniform(max(self.history_start, ties[p].start), -1.0)
            self.favors.append((day, Favor(p, q, what, when=_partial(day, 2), size=size)))

    def make_introductions(self, ties: dict[int, _Tie]) -> None:
        """Introductions the owner made (the pair then know each other) and received."""
        r = self.r
        warm = sorted(
            p
            for p, t in ties.items()
            if t.tier in (Tier.CLOSE, Tier.GOOD, Tier.ACTIVE, Tier.REGULAR)
        )
        outcomes = (IntroOutcome.MET, IntroOutcome.WORKED_TOGETHER, IntroOutcome.NO_RESPONSE)
        made = 0
        while made < round(0.017 * self.n_contacts):
            a, b = r.sample(warm, 2)
            if self.knows(a, b):
                continue
            lo = max(ties[a].start, ties[b].start)
            day = r.uniform(lo, -5.0)
            self.link(a, b)
            self.thread(day, 0, [a, b], [], r.choice((2, 3)), "Introduction")
            recent = day > -45.0
            outcome = IntroOutcome.PENDING if recent else r.choice(outcomes)
            self.intros.append(
                Introduction(a, b, introducer_id=0, when=_partial(day, 3), outcome=outcome)
            )
            made += 1
        received = 0
        candidates = sorted(
            p
            for p, t in ties.items()
            if t.origin is Origin.OTHER
            and t.tier in (Tier.OCCASIONAL, Tier.REGULAR, Tier.ACTIVE)
            and t.met > self.history_start
        )
        r.shuffle(candidates)
        for b in candidates:
            if received >= round(0.01 * self.n_contacts):
                break
            met = ties[b].met
            intro = [
                c for c in sorted(self.adj[b]) if c in warm and ties[c].start <= met <= ties[c].end
            ]
            if not intro:
                continue
            c = r.choice(intro)
            self.thread(met, c, [0, b], [], 2, "Intro")
            self.met_through[b] = c
            self.intros.append(
                Introduction(0, b, introducer_id=c, when=_partial(met, 2), outcome=IntroOutcome.MET)
            )
            received += 1

    def make_goals(self, ties: dict[int, _Tie]) -> tuple[list[Goal], int]:
        """Two goals of the owner (one done, one open: the story's) and contacts' asks."""
        r, k = self.r, GoalTagKind
        goals = [
            Goal(
                0,
                "Move into product management",
                tags=(GoalTag(k.ROLE, "product manager"),),
                status=GoalStatus.DONE,
                created=PartialDate(2021, 3),
                closed=PartialDate(2021, 8),
            ),
            Goal(
                0,
                "Product role at a fintech",
                tags=(
                    GoalTag(k.ROLE, "product manager"),
                    GoalTag(k.INDUSTRY, "fintech"),
                    GoalTag(k.LOCATION, normalize_tag(OWNER_CITY)),
                ),
                created=_partial(-40.0, 3),
            ),
        ]
        askers = sorted(
            p
            for p, t in ties.items()
            if t.tier in (Tier.CLOSE, Tier.GOOD, Tier.ACTIVE, Tier.REGULAR)
        )
        industries = [o.industry for o in self.orgs if o.industry]
        for p in r.sample(askers, min(len(askers), round(0.025 * self.n_contacts))):
            ladder = vocab.TITLE_LADDERS[self.function[p]]
            skill = r.choice(vocab.SKILLS_BY_FUNCTION[self.function[p]])
            org = self.orgs[r.randrange(len(self.orgs))]
            industry = r.choice(industries)
            title = r.choice(ladder[1:4])
            options = (
                (
                    f"Hiring a {title} in {self.city[p]}",
                    (
                        GoalTag(k.ROLE, title.lower()),
                        GoalTag(k.LOCATION, normalize_tag(self.city[p])),
                    ),
                ),
                (f"Looking for a freelance {skill} expert", (GoalTag(k.SKILL, skill),)),
                (f"Would love an intro to someone at {org.name}", (GoalTag(k.ORG, org.name),)),
                (f"Exploring a move into {industry}", (GoalTag(k.INDUSTRY, industry),)),
            )
            text, tags = r.choice(options)
            day = r.uniform(-2 * YEAR, -3.0)
            done = r.random() < 0.3
            goals.append(
                Goal(
                    p,
                    text,
                    tags=tags,
                    status=GoalStatus.DONE if done else GoalStatus.OPEN,
                    created=_partial(day, 2),
                    closed=_partial(r.uniform(day, -1.0), 2) if done else None,
                )
            )
        return goals, 1

    def make_opportunities(self, ties: dict[int, _Tie]) -> list[Opportunity]:
        """The owner's current job (through a former colleague) and a won freelance client."""
        r = self.r
        job2_friends = sorted(
            p for p, t in ties.items() if t.origin is Origin.JOB2 and t.tier is not Tier.FOLLOW
        )
        at_job3 = [
            p for p in job2_friends if any(x.org == self.job3_org for x in self.affs[p])
        ] or job2_friends
        referrer = r.choice(at_job3)
        found = [
            Opportunity(
                "Product Manager",
                org_id=self.job3_org,
                status=OpportunityStatus.ACCEPTED,
                opened=PartialDate(2021, 6),
                closed=PartialDate(2021, 8),
                chain=(referrer,),
                goal_id=0,
                note="referred by a former colleague",
            )
        ]
        actives = sorted(p for p, t in ties.items() if t.tier in (Tier.ACTIVE, Tier.REGULAR))
        for p in r.sample(actives, len(actives)):
            mates = [q for q in sorted(self.adj[p]) if q != 0 and self.current_org(q) is not None]
            if mates:
                q = r.choice(mates)
                found.append(
                    Opportunity(
                        "Email migration project",
                        org_id=self.current_org(q),
                        status=OpportunityStatus.WON,
                        opened=PartialDate(2023, 4),
                        closed=PartialDate(2023, 6),
                        chain=(p, q),
                        note="freelance, a weekend's work",
                    )
                )
                break
        return found

    def current_org(self, p: int) -> int | None:
        for x in reversed(self.affs[p]):
            if x.kind is AffiliationKind.EMPLOYMENT and x.end is None:
                return x.org
        return None

    # ---------------------------------------------------------------- identities and people

    def identities(self, ties: dict[int, _Tie]) -> list[tuple[Identity, ...]]:
        r = self.r
        used: set[str] = set()
        pools = {c: vocab.fictional_phone_pool(c) for c in ("GB", "US")}
        for pool in pools.values():
            r.shuffle(pool)
        country = dict(vocab.CITIES)
        strong = (Tier.FAMILY, Tier.CLOSE, Tier.GOOD)
        out: list[tuple[Identity, ...]] = []
        for p in range(self.n):
            ids: list[Identity] = []
            given, family = vocab.slugify(self.given[p]), vocab.slugify(self.family[p])
            tie = ties.get(p)
            org = self.current_org(p)
            # the owner, and the story's two people, write from their company addresses
            planted = p in (0, self.helped, self.manager)
            wants_email = p in self.need_email or r.random() < (0.85 if tie else 0.6)
            if wants_email or planted:
                domain = self.orgs[org].domain if org is not None else None
                work = domain is not None and (planted or r.random() < 0.55)
                if work and domain:
                    ids.append(self.email(f"{given}.{family}", domain, "work", used))
                if not work or p == 0 or r.random() < 0.15:
                    local = r.choice(
                        (
                            f"{given}.{family}",
                            f"{given}{family}",
                            f"{given[0]}.{family}",
                            f"{given}_{family}",
                        )
                    )
                    host = r.choice(vocab.PERSONAL_EMAIL_DOMAINS)
                    ids.append(self.email(local, host, "home", used))
            chance = 1.0 if tie and tie.tier in strong else 0.4 if tie else 0.03
            if p == 0 or p in self.need_phone or r.random() < chance:
                pool = pools["GB" if country.get(self.city[p]) == "GB" else "US"]
                if not pool:
                    pool = pools["US"] if pool is pools["GB"] else pools["GB"]
                if pool:
                    ids.append(Identity(IdentityKind.PHONE, normalize_phone(pool.pop()), "mobile"))
            if planted or p in self.need_linkedin or r.random() < 0.5:
                slug = f"{given}-{family}"
                if slug in used or r.random() < 0.4:
                    slug = f"{slug}-{r.randrange(16**6):06x}"
                used.add(slug)
                url = normalize_url(f"https://www.linkedin.com/in/{slug}")
                ids.append(Identity(IdentityKind.URL, url, "linkedin"))
            if self.function[p] == "engineering" and r.random() < 0.3:
                handle = f"{given}{family[:3]}{r.randrange(100)}"
                if handle not in used:
                    used.add(handle)
                    ids.append(
                        Identity(
                            IdentityKind.URL,
                            normalize_url(f"https://github.com/{handle}"),
                            "github",
                        )
                    )
            out.append(tuple(ids))
        return out

    def email(self, local: str, domain: str, label: str, used: set[str]) -> Identity:
        address = f"{local}@{domain}"
        k = 2
        while address in used:
            address = f"{local}{k}@{domain}"
            k += 1
        used.add(address)
        return Identity(IdentityKind.EMAIL, normalize_email(address), label)

    def people(self, ties: dict[int, _Tie]) -> list[Person]:
        r = self.r
        identities = self.identities(ties)
        tags_of = {
            Origin.FAMILY: ("family",),
            Origin.JOB3: ("colleague",),
            Origin.JOB2: ("former-colleague",),
            Origin.JOB1: ("former-colleague",),
            Origin.SCHOOL: ("classmate",),
            Origin.COMMUNITY: ("community",),
        }
        how = {
            Origin.FAMILY: ("family", None),
            Origin.JOB3: ("work together", self.orgs[self.job3_org].name),
            Origin.JOB2: ("worked together", self.orgs[self.job2_org].name),
            Origin.JOB1: ("worked together", self.orgs[self.job1_org].name),
            Origin.SCHOOL: ("studied together", self.orgs[self.owner_school].name),
            Origin.COMMUNITY: ("met at a meetup", self.orgs[self.community_org].name),
            Origin.OTHER: ("met at a conference", None),
            Origin.STORY: ("emailed out of the blue for help", None),
        }
        people: list[Person] = []
        for p in range(self.n):
            given, family = self.given[p], self.family[p]
            skills_pool = vocab.SKILLS_BY_FUNCTION[self.function[p]]
            skills = tuple(r.sample(skills_pool, r.randint(2, min(4, len(skills_pool)))))
            if p == self.helped:
                skills = ("logistics-ops", "vendors")
            tie = ties.get(p)
            tags: tuple[str, ...] = ()
            how_met = met_where = None
            met_when: PartialDate | None = None
            if tie is not None:
                tags = tags_of.get(tie.origin, ())
                if self.function[p] == "people" and "recruiter" not in tags:
                    tags = (*tags, "recruiter")
                if tie.origin is Origin.STORY or r.random() < 0.6:
                    how_met, met_where = how[tie.origin]
                    if tie.origin is not Origin.FAMILY:
                        met_when = _partial(tie.met, r.choice((1, 2, 2, 3)))
                if p in self.met_through:
                    how_met = f"introduced by {self.given[self.met_through[p]]}"
            aliases: tuple[str, ...] = ()
            nickname = vocab.NICKNAMES.get(given)
            if nickname and r.random() < 0.5:
                aliases = (f"{nickname} {family}",)
            people.append(
                Person(
                    f"{given} {family}",
                    id=p,
                    is_me=p == 0,
                    given_name=given,
                    family_name=family,
                    aliases=aliases,
                    location=self.city[p],
                    how_met=how_met,
                    met_where=met_where,
                    met_when=met_when,
                    met_through_id=self.met_through.get(p),
                    do_not_ask=tie is not None and tie.origin is Origin.FAMILY and r.random() < 0.3,
                    identities=identities[p],
                    tags=tags,
                    skills=skills,
                )
            )
        return people

    def ensure_second_degree_linked(self, chosen: dict[int, Origin]) -> None:
        """Everyone outside the owner's contacts knows at least one contact (else why here?)."""
        contacts = sorted(p for p in chosen if p != self.helped)
        helped_friends = set(self.adj[self.helped])
        for p in range(1, self.n):
            if p in chosen or p in helped_friends:
                continue
            if any(q in chosen for q in self.adj[p]):
                continue
            self.link(p, contacts[self.r.randrange(len(contacts))])

    # ---------------------------------------------------------------- assembly

    def build(self) -> World:
        self.make_orgs()
        self.make_people()
        self.plant_owner()
        self.plant_story_people()
        planted = self.plant_colleagues()
        self.by_org_affs: dict[int, list[_Aff]] = {}
        for p in range(self.n):
            for x in self.affs[p]:
                self.by_org_affs.setdefault(x.org, []).append(x)
        self.make_friendships()
        chosen = self.choose_contacts(planted)
        ties = self.make_ties(chosen)
        groups = self.make_groups(ties, chosen)
        self.ensure_second_degree_linked(chosen)
        favour_day = self.story_events(ties)
        for p in sorted(ties):
            tie = ties[p]
            if p == self.helped:
                continue
            if tie.tier not in (Tier.CONNECTION, Tier.FOLLOW):
                reciprocity = self.r.betavariate(4.0, 4.0)
                for day in self.tie_times(tie):
                    self.conversation(tie, day, self.r.random() < reciprocity)
            self.social(tie)
        for group in groups:
            self.group_events(group, ties)
        self.make_favors(ties)
        self.make_introductions(ties)
        goals, goal = self.make_goals(ties)
        opportunities = self.make_opportunities(ties)
        return self.assemble(ties, goals, goal, opportunities, favour_day)

    def assemble(
        self,
        ties: dict[int, _Tie],
        goals: list[Goal],
        goal: int,
        opportunities: list[Opportunity],
        favour_day: float,
    ) -> World:
        people = self.people(ties)
        orgs = [
            Organization(
                o.name,
                id=k,
                kind=o.kind,
                industry=o.industry,
                aliases=(f"{o.name} Ltd",) if o.kind is OrgKind.COMPANY and k % 3 == 0 else (),
                domains=(o.domain,),
                location=o.city,
            )
            for k, o in enumerate(self.orgs)
        ]
        affiliations: list[Affiliation] = []
        for p in range(self.n):
            for x in self.affs[p]:
                precision = 2 if (p + x.org) % 5 else 1
                affiliations.append(
                    Affiliation(
                        p,
                        x.org,
                        id=len(affiliations),
                        title=x.title,
                        kind=x.kind,
                        start=_partial(x.start, precision),
                        end=None if x.end is None else _partial(x.end, precision),
                    )
                )
        events = sorted(self.events, key=lambda e: (e.day, e.seq))
        interactions = [
            Interaction(
                _moment(e.day),
                e.channel,
                e.participants,
                id=k,
                kind=e.kind,
                direction=e.direction,
                summary=e.summary,
                thread_key=e.thread_key,
            )
            for k, e in enumerate(events)
        ]
        ordered = sorted(enumerate(self.favors), key=lambda kv: (kv[1][0], kv[0]))
        favors = [replace(f, id=k) for k, (_, (_, f)) in enumerate(ordered)]
        story_favor = next(k for k, (old, _) in enumerate(ordered) if old == 0)
        introductions = [replace(x, id=k) for k, x in enumerate(self.intros)]
        goals = [replace(g, id=k) for k, g in enumerate(goals)]
        opportunities = [replace(o, id=k) for k, o in enumerate(opportunities)]
        friendships = sorted((u, v) for u in range(self.n) for v in self.adj[u] if u < v)
        friendships += [(0, p) for p in sorted(ties)]
        friendships.sort()
        story = Story(
            helped=self.helped,
            favor=story_favor,
            hiring_manager=self.manager,
            target_org=self.acme,
            goal=goal,
            role=TARGET_ROLE,
            bridge=(self.helped, self.manager),
        )
        return World(
            seed=self.seed,
            now=NOW,
            people=people,
            orgs=orgs,
            affiliations=affiliations,
            interactions=interactions,
            favors=favors,
            introductions=introductions,
            goals=goals,
            opportunities=opportunities,
            friendships=friendships,
            story=story,
        )
