"""Vocabularies for synthetic worlds: names, organisations, titles, skills, cities, phones.

Everything here is invented or generic: people get common given and family names (no real
person is meant), organisations get names built from syllables, and every address lives
under a reserved domain (``example.com``/``.org``/``.net`` or the ``.example`` TLD). Phone
numbers come only from ranges set aside for fiction (Ofcom's 07700 900xxx and the North
American 555-01xx), so an export written from a synthetic world can never reach anyone.
"""

from __future__ import annotations

import re
import unicodedata


def _words(text: str) -> tuple[str, ...]:
    """The distinct whitespace-separated words of ``text``, first occurrence first."""
    return tuple(dict.fromkeys(text.split()))


GIVEN_NAMES: tuple[str, ...] = _words(
    """
    Aaron Abigail Ada Adam Adele Adrian Aisha Alan Alba Alex Alexandra Alice Alina Amara Amelia
    Amir Ana Andrea Andrew Angela Anika Anna Anton Arjun Ava Ayesha Beatriz Ben Bianca Boris
    Bruno Caleb Camila Carla Carlos Caroline Cecilia Chen Chiara Chloe Chris Clara Daniel Dara
    David Diana Diego Dmitri Elena Eli Elif Elise Emil Emily Emma Erik Esther Ethan Eva Farah
    Felix Fiona Florian Frances Gabriel Gemma George Grace Hana Hannah Harriet Hassan Hugo Ian
    Ines Ingrid Irene Isaac Isabel Ivan Jack Jade James Jana Javier Jonas Jorge Joseph Julia
    Julian Kai Karim Kate Keiko Kenji Kiran Lara Laura Leah Leo Lena Leon Liam Lina Lucas Lucia
    Luis Maya Malik Marco Maria Marta Martin Mateo Maya Mei Mia Michael Mila Mina Miriam Nadia
    Naomi Nathan Nia Nico Nina Noah Nora Oliver Olivia Omar Oscar Paula Pedro Petra Priya Rafael
    Rahul Rana Rebecca Rosa Ruben Ruth Sacha Sam Samira Sara Sean Selin Simon Sofia Sonia Stella
    Stefan Tamar Theo Thomas Tobias Tom Uma Vera Victor Viktor Wei Xavier Yara Yusuf Zara Zoe
    Amani Bea Cora Dev Ezra Hiro Ilse Joao Kofi Lior Magnus Nell Otto Pia Quinn Rhea Soren Tess
    Una Wren Yuki Zane Ines Ola Femi Tariq Leila Ravi Sven Astrid Marek Lotte Hamza Noor Elias
    """
)

FAMILY_NAMES: tuple[str, ...] = _words(
    """
    Abbott Adeyemi Ahmed Alvarez Andersen Arslan Baker Banerjee Barros Bauer Becker Bell Bennett
    Berg Bianchi Blake Bose Brandt Brooks Byrne Campbell Cardoso Carter Castro Chan Chaudhry Chen
    Clarke Cohen Costa Cruz Dahl Das Davies Delgado Diaz Dijkstra Doyle Dubois Duarte Edwards
    Ellis Engel Evans Farah Ferreira Fischer Fleming Foster Fraser Garcia Gill Gomez Graham Grant
    Gray Gupta Haas Hall Hansen Harper Hayes Hoffmann Holm Horvat Hughes Hussain Ibrahim Ito Iyer
    Jansen Jensen Jovanovic Kaya Keller Kelly Khan Kim Klein Koch Kowalski Kramer Kumar Lambert
    Larsen Laurent Lee Lindqvist Lopez Lund Maddox Malik Marsh Martens Mason Medina Meyer Mills
    Moreau Morales Moretti Murphy Nagy Nair Nakamura Navarro Nguyen Nielsen Novak Obi Okafor
    Oliveira Olsen Ortiz Osei Owens Park Patel Pereira Petrov Pham Popescu Price Quinn Rahman
    Ramos Reid Reyes Richter Rivera Rossi Russo Sato Schmidt Schneider Schulz Shah Silva Singh
    Sokolov Sousa Stewart Suzuki Tan Tanaka Taylor Torres Tran Turner Vargas Varga Vogel Wagner
    Walsh Wang Ward Weber Wolf Wong Yamamoto Yilmaz Young Zhang Ziegler Zimmermann Aldana Brennan
    Calder Dunmore Everly Fairholm Galloway Hartwell Imbert Jessop Kestrel Lachance Merriweather
    Northcott Oakes Pemberton Quarry Rowntree Stirling Thackery Underhill Vance Whitlock Yardley
    """
)

NICKNAMES: dict[str, str] = {
    "Alexandra": "Sasha",
    "Andrew": "Andy",
    "Benjamin": "Ben",
    "Christopher": "Chris",
    "Daniel": "Dan",
    "Elizabeth": "Liz",
    "Frances": "Fran",
    "Isabel": "Izzy",
    "James": "Jim",
    "Joseph": "Joe",
    "Katherine": "Kate",
    "Michael": "Mike",
    "Nathan": "Nate",
    "Nicolas": "Nico",
    "Rebecca": "Becca",
    "Samira": "Sam",
    "Stefan": "Steff",
    "Thomas": "Tom",
    "Victor": "Vic",
    "Zachary": "Zach",
}

_ONSETS = _words("b br c cl d dr f fl g gr h j k l m n p pr qu r s st t tr v w z")
_VOWELS = _words("a e i o u ae ia io ou ei")
_CODAS = (*_words("n r l s x m nd rk ll st th v"), "", "", "", "")


def syllable_word(draw: list[int]) -> str:
    """A pronounceable invented word from three draws (onset, vowel, coda), two syllables."""
    a, b, c = draw
    first = _ONSETS[a % len(_ONSETS)] + _VOWELS[b % len(_VOWELS)] + _CODAS[c % len(_CODAS)]
    second = (
        _ONSETS[(a * 7 + c) % len(_ONSETS)]
        + _VOWELS[(b * 3 + a) % len(_VOWELS)]
        + _CODAS[(c * 5 + b) % len(_CODAS)]
    )
    return (first + second).capitalize()


BRAND_WORDS: tuple[str, ...] = _words(
    """
    Northwind Bluefin Larkspur Copperleaf Driftwood Ember Fernbrook Granite Harbor Ironbark
    Juniper Kestrel Lantern Meadow Nimbus Oakridge Pinecrest Quill Riverstone Saffron Tidewater
    Umber Vantage Willow Yarrow Zephyr Brightwater Cobalt Daybreak Evergreen Foxglove Goldcrest
    Hollow Indigo Jasper Keystone Lumen Marble Northstar Orchard Paragon Redwood Silverline
    Thistle Upland Verdant Wildflower Alder Beacon Cedar Delta Elmstead Fathom Glade Heron
    """
)

INDUSTRIES: tuple[str, ...] = (
    "fintech",
    "software",
    "consulting",
    "media",
    "health",
    "education",
    "logistics",
    "retail",
    "energy",
    "nonprofit",
)

INDUSTRY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "fintech": ("Bank", "Pay", "Capital", "Finance", "Ledger", "Payments"),
    "software": ("Labs", "Software", "Systems", "Cloud", "Analytics", "Technologies"),
    "consulting": ("Consulting", "Advisory", "Partners", "Group"),
    "media": ("Media", "Studios", "Press", "Broadcasting"),
    "health": ("Health", "Care", "Clinics", "Bio"),
    "education": ("Learning", "Academy", "Education"),
    "logistics": ("Logistics", "Freight", "Shipping", "Couriers"),
    "retail": ("Goods", "Market", "Outfitters", "Stores"),
    "energy": ("Energy", "Power", "Renewables"),
    "nonprofit": ("Foundation", "Trust", "Alliance"),
}

AGENCY_SUFFIXES: tuple[str, ...] = ("Digital", "Studio", "Creative", "Agency", "Works")
COWORKING_PATTERNS: tuple[str, ...] = ("{w} Works", "The {w} Hub", "{w} House", "{w} Commons")
COMMUNITY_PATTERNS: tuple[str, ...] = (
    "{city} Product Meetup",
    "{city} Python Users",
    "{city} Design Circle",
    "{city} Women in Tech",
    "{city} Startup Breakfast",
    "{city} Data Science Guild",
    "{city} Founders Club",
    "{city} DevOps Night",
)
SCHOOL_PATTERNS: tuple[str, ...] = (
    "University of {city}",
    "{city} Business School",
    "{city} Institute of Technology",
    "{city} School of Design",
    "{city} College",
    "{city} School of Economics",
)

CITIES: tuple[tuple[str, str], ...] = (
    ("London", "GB"),
    ("Manchester", "GB"),
    ("Edinburgh", "GB"),
    ("Bristol", "GB"),
    ("New York", "US"),
    ("San Francisco", "US"),
    ("Chicago", "US"),
    ("Austin", "US"),
    ("Boston", "US"),
    ("Berlin", "DE"),
    ("Lisbon", "PT"),
    ("Amsterdam", "NL"),
    ("Toronto", "CA"),
    ("Dublin", "IE"),
)
"""(city, country) pairs; real places, which identify no one."""

FUNCTIONS: tuple[str, ...] = (
    "engineering",
    "product",
    "design",
    "data",
    "sales",
    "marketing",
    "operations",
    "people",
    "finance",
)

TITLE_LADDERS: dict[str, tuple[str, ...]] = {
    "engineering": (
        "Junior Software Engineer",
        "Software Engineer",
        "Senior Software Engineer",
        "Staff Engineer",
        "Engineering Manager",
        "Director of Engineering",
        "VP of Engineering",
    ),
    "product": (
        "Associate Product Manager",
        "Product Manager",
        "Senior Product Manager",
        "Lead Product Manager",
        "Group Product Manager",
        "Head of Product",
        "VP of Product",
    ),
    "design": (
        "Junior Designer",
        "Product Designer",
        "Senior Product Designer",
        "Lead Designer",
        "Design Manager",
        "Head of Design",
        "Director of Design",
    ),
    "data": (
        "Data Analyst",
        "Data Scientist",
        "Senior Data Scientist",
        "Lead Data Engineer",
        "Analytics Manager",
        "Head of Data",
        "Director of Data",
    ),
    "sales": (
        "Sales Development Representative",
        "Account Executive",
        "Senior Account Executive",
        "Enterprise Account Director",
        "Sales Manager",
        "Head of Sales",
        "VP of Sales",
    ),
    "marketing": (
        "Marketing Coordinator",
        "Marketing Specialist",
        "Senior Marketing Manager",
        "Lead Content Strategist",
        "Growth Marketing Manager",
        "Head of Marketing",
        "Chief Marketing Officer",
    ),
    "operations": (
        "Operations Associate",
        "Operations Analyst",
        "Operations Lead",
        "Senior Operations Lead",
        "Operations Manager",
        "Head of Operations",
        "Chief Operating Officer",
    ),
    "people": (
        "People Coordinator",
        "Recruiter",
        "Senior Recruiter",
        "Talent Partner",
        "Talent Acquisition Manager",
        "Head of People",
        "Chief People Officer",
    ),
    "finance": (
        "Finance Associate",
        "Financial Analyst",
        "Senior Financial Analyst",
        "Finance Lead",
        "Finance Manager",
        "Head of Finance",
        "Chief Financial Officer",
    ),
}
"""Per function, titles from junior to executive; index 4 and up are managers."""

TITLES: tuple[str, ...] = tuple(t for f in FUNCTIONS for t in TITLE_LADDERS[f])
"""Every title once: the vocabulary ``title_of`` codes in community graphs refer to."""

STUDY_TITLES: tuple[str, ...] = ("BSc", "BA", "MSc", "MBA", "MA")

SKILLS_BY_FUNCTION: dict[str, tuple[str, ...]] = {
    "engineering": ("python", "go", "typescript", "kubernetes", "postgresql", "aws", "rust"),
    "product": ("product-strategy", "roadmapping", "user-research", "a-b-testing", "payments"),
    "design": ("figma", "ux-research", "prototyping", "design-systems", "illustration"),
    "data": ("sql", "machine-learning", "statistics", "python", "dbt", "forecasting"),
    "sales": ("enterprise-sales", "negotiation", "crm", "partnerships", "saas-sales"),
    "marketing": ("seo", "content-marketing", "brand", "growth", "copywriting"),
    "operations": ("process-design", "supply-chain", "email-migration", "it-support", "vendors"),
    "people": ("recruiting", "employer-branding", "coaching", "compensation"),
    "finance": ("fp-and-a", "accounting", "fundraising", "treasury", "compliance"),
}

SKILLS: tuple[str, ...] = tuple(
    dict.fromkeys(s for f in FUNCTIONS for s in SKILLS_BY_FUNCTION[f]).keys()
)
"""Every skill once, in a fixed order: the vocabulary ``skills`` codes refer to."""

PERSONAL_EMAIL_DOMAINS: tuple[str, ...] = (
    "example.com",
    "example.net",
    "example.org",
    "mail.example",
    "post.example",
)

US_AREA_CODES: tuple[str, ...] = _words(
    "201 202 206 212 213 303 305 312 404 415 503 512 614 617 646 702 718 773 808 917"
)


def fictional_phone_pool(country: str) -> list[str]:
    """Every fictional number of a country's reserved range, in E.164.

    GB: Ofcom's drama range +44 7700 900000–900999. Elsewhere: the North American
    555-0100–0199 numbers across :data:`US_AREA_CODES`.
    """
    if country == "GB":
        return [f"+447700{900000 + i}" for i in range(1000)]
    return [f"+1{area}5550{100 + i}" for area in US_AREA_CODES for i in range(100)]


MANAGER_TITLES: frozenset[str] = frozenset(t for f in FUNCTIONS for t in TITLE_LADDERS[f][4:])
"""The titles that lead a team or a function: the people who hire."""


def is_manager_title(title: str) -> bool:
    """Whether a title leads people (a "Product Manager" manages a product, not a team)."""
    return title in MANAGER_TITLES or title.startswith(("Head of", "Director of", "VP of", "Chief"))


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphen-separated: for web domains, email locals and profile slugs."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
