"""The tables, written once for SQLite and PostgreSQL (portable types and SQL only).

Partial dates are kept as their ISO text ("2019", "2019-05", "2019-05-03"), which sorts in time
order; instants are UTC (see :class:`UTCDateTime`). Every row that names a person cascades on
delete, so ``forget`` erases a person with one statement and leaves nothing behind.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every engine (SQLite keeps them naive; we add the zone back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must be aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _person_fk(**kw: Any) -> ForeignKey:
    return ForeignKey("person.id", ondelete="CASCADE", **kw)


PDATE = String(10)  # partial ISO date text

person = Table(
    "person",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("given_name", String(200)),
    Column("family_name", String(200)),
    Column("is_me", Boolean, nullable=False, default=False),
    Column("location", String(200)),
    Column("how_met", Text),
    Column("met_where", String(300)),
    Column("met_when", PDATE),
    Column("met_through_id", Integer, ForeignKey("person.id", ondelete="SET NULL")),
    Column("do_not_ask", Boolean, nullable=False, default=False),
    # a merged-away person stays, hidden, so that the merge can be undone
    Column("merged_into_id", Integer, ForeignKey("person.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_person_name", person.c.name)
Index("ix_person_merged_into", person.c.merged_into_id)

person_alias = Table(
    "person_alias",
    metadata,
    Column("person_id", Integer, _person_fk(), primary_key=True),
    Column("alias", String(300), primary_key=True),
)

identity = Table(
    "identity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, _person_fk(), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("value", String(512), nullable=False),
    Column("label", String(100)),
    UniqueConstraint("kind", "value", name="uq_identity_kind_value"),
)
Index("ix_identity_person", identity.c.person_id)

organization = Table(
    "organization",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("name_key", String(300), nullable=False),
    Column("kind", String(16), nullable=False, default="company"),
    Column("industry", String(100)),
    Column("location", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_organization_name_key", organization.c.name_key)

org_alias = Table(
    "org_alias",
    metadata,
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
    Column("alias_key", String(300), primary_key=True),
    Column("alias", String(300), nullable=False),
)
Index("ix_org_alias_key", org_alias.c.alias_key)

org_domain = Table(
    "org_domain",
    metadata,
    Column("domain", String(253), primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False),
)

affiliation = Table(
    "affiliation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, _person_fk(), nullable=False),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(300)),
    Column("kind", String(16), nullable=False, default="employment"),
    Column("start", PDATE),
    Column("end", PDATE),
    Column("source_record_id", Integer, ForeignKey("source_record.id", ondelete="SET NULL")),
)
Index("ix_affiliation_person", affiliation.c.person_id)
Index("ix_affiliation_org", affiliation.c.org_id)

interaction = Table(
    "interaction",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("kind", String(16), nullable=False, default="conversation"),
    Column("direction", String(10), nullable=False, default="unknown"),
    Column("summary", Text),
    Column("thread_key", String(512)),
    Column("n_participants", Integer, nullable=False, default=2),
    Column("source_record_id", Integer, ForeignKey("source_record.id", ondelete="SET NULL")),
)
Index("ix_interaction_occurred", interaction.c.occurred_at)
Index("ix_interaction_thread", interaction.c.thread_key)

participant = Table(
    "participant",
    metadata,
    Column(
        "interaction_id",
        Integer,
        ForeignKey("interaction.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("person_id", Integer, _person_fk(), primary_key=True),
    Column("role", String(12), primary_key=True),
)
Index("ix_participant_person", participant.c.person_id)

favor = Table(
    "favor",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("giver_id", Integer, _person_fk(), nullable=False),
    Column("receiver_id", Integer, _person_fk(), nullable=False),
    Column("what", Text, nullable=False),
    Column("happened", PDATE),
    Column("size", String(8), nullable=False, default="small"),
    Column("source_record_id", Integer, ForeignKey("source_record.id", ondelete="SET NULL")),
    CheckConstraint("giver_id <> receiver_id", name="distinct_people"),
)
Index("ix_favor_giver", favor.c.giver_id)
Index("ix_favor_receiver", favor.c.receiver_id)

introduction = Table(
    "introduction",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("introducer_id", Integer, _person_fk()),
    Column("a_id", Integer, _person_fk(), nullable=False),
    Column("b_id", Integer, _person_fk(), nullable=False),
    Column("happened", PDATE),
    Column("outcome", String(16), nullable=False, default="pending"),
    Column("note", Text),
    CheckConstraint("a_id <> b_id", name="distinct_people"),
)
Index("ix_introduction_a", introduction.c.a_id)
Index("ix_introduction_b", introduction.c.b_id)

goal = Table(
    "goal",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner_id", Integer, _person_fk(), nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(10), nullable=False, default="open"),
    Column("created", PDATE),
    Column("closed", PDATE),
)
Index("ix_goal_owner", goal.c.owner_id)

goal_tag = Table(
    "goal_tag",
    metadata,
    Column("goal_id", Integer, ForeignKey("goal.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("value", String(200), primary_key=True),
)

opportunity = Table(
    "opportunity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="SET NULL")),
    Column("status", String(14), nullable=False, default="lead"),
    Column("opened", PDATE),
    Column("closed", PDATE),
    Column("goal_id", Integer, ForeignKey("goal.id", ondelete="SET NULL")),
    Column("note", Text),
)

opportunity_link = Table(
    "opportunity_link",
    metadata,
    Column(
        "opportunity_id",
        Integer,
        ForeignKey("opportunity.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("person_id", Integer, _person_fk(), nullable=False),
)
Index("ix_opportunity_link_person", opportunity_link.c.person_id)

person_tag = Table(
    "person_tag",
    metadata,
    Column("person_id", Integer, _person_fk(), primary_key=True),
    Column("tag", String(100), primary_key=True),
)
Index("ix_person_tag_tag", person_tag.c.tag)

person_skill = Table(
    "person_skill",
    metadata,
    Column("person_id", Integer, _person_fk(), primary_key=True),
    Column("skill", String(100), primary_key=True),
)
Index("ix_person_skill_skill", person_skill.c.skill)

note = Table(
    "note",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, _person_fk(), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_note_person", note.c.person_id)

search_term = Table(
    "search_term",
    metadata,
    Column("person_id", Integer, _person_fk(), primary_key=True),
    # byte order on PostgreSQL too, so that prefix search can use a range scan of the index
    Column(
        "term", String(100).with_variant(String(100, collation="C"), "postgresql"), primary_key=True
    ),
)
Index("ix_search_term_term", search_term.c.term)

merge = Table(
    "merge",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kept_id", Integer, _person_fk(), nullable=False),
    Column("merged_id", Integer, _person_fk(), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("undone_at", UTCDateTime),
    Column("reason", String(200)),
)

merge_move = Table(
    "merge_move",
    metadata,
    Column("merge_id", Integer, ForeignKey("merge.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("table_name", String(40), nullable=False),
    Column("row_key", Text, nullable=False),  # JSON of the moved row's primary key after the move
    Column("column_name", String(40), nullable=False),
)

import_run = Table(
    "import_run",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("importer", String(40), nullable=False),
    Column("path", Text, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(10), nullable=False, default="running"),
    Column("counts", Text, nullable=False, default="{}"),  # JSON
)

source_record = Table(
    "source_record",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(40), nullable=False),
    Column("external_id", String(512), nullable=False),
    Column("file", Text, nullable=False),
    Column("locator", String(100), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("person_id", Integer, _person_fk()),
    Column("import_run_id", Integer, ForeignKey("import_run.id", ondelete="SET NULL")),
    UniqueConstraint("source", "external_id", name="uq_source_record_source_external"),
)
Index("ix_source_record_person", source_record.c.person_id)

setting = Table(
    "setting",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

rating = Table(
    "rating",
    metadata,
    Column("person_id", Integer, _person_fk(), primary_key=True),
    Column("value", Float, nullable=False),
    Column("rated_at", UTCDateTime, nullable=False),
)

knows = Table(
    "knows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("a_id", Integer, _person_fk(), nullable=False),
    Column("b_id", Integer, _person_fk(), nullable=False),
    Column("kind", String(16), nullable=False),  # explicit, relation, import
    Column("label", String(100)),
    Column("source_record_id", Integer, ForeignKey("source_record.id", ondelete="CASCADE")),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("a_id <> b_id", name="distinct_people"),
)
Index("ix_knows_a", knows.c.a_id)
Index("ix_knows_b", knows.c.b_id)

merge_candidate = Table(
    "merge_candidate",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("a_id", Integer, _person_fk(), nullable=False),
    Column("b_id", Integer, _person_fk(), nullable=False),
    Column("score", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column(
        "status", String(10), nullable=False, default="pending"
    ),  # pending accepted rejected skipped
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    UniqueConstraint("a_id", "b_id", name="uq_merge_candidate_pair"),
)
Index("ix_merge_candidate_status", merge_candidate.c.status)

tie = Table(
    "tie",
    metadata,
    # the owner's tie to each contact, as last scored (a cache: rebuilt whenever facts change)
    Column("person_id", Integer, _person_fk(), primary_key=True),
    Column("strength", Float, nullable=False),
    Column("category", String(10), nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
)
Index("ix_tie_strength", tie.c.strength)

nudge_state = Table(
    "nudge_state",
    metadata,
    # what the user did with a nudge: done, snoozed (until a time) or dismissed
    Column("key", String(200), primary_key=True),
    Column("status", String(10), nullable=False),
    Column("until", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
)

review = Table(
    "review",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("month", String(7), nullable=False),  # YYYY-MM
    Column("closes_on", String(10), nullable=False),  # the last Friday (or the chosen day)
    Column("created_at", UTCDateTime, nullable=False),
    Column("content", Text, nullable=False),  # JSON: the sections as shown
    Column("snapshot", Text, nullable=False),  # JSON: tie strengths and categories that month
    UniqueConstraint("month", name="uq_review_month"),
)

sync_source = Table(
    "sync_source",
    metadata,
    # an account ``weakties sync`` re-reads (imap://, carddav://, caldav://); never a password
    Column("id", Integer, primary_key=True),
    Column("url", String(500), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("last_sync_at", UTCDateTime),
    Column("last_status", String(10)),  # done or failed
    Column("last_message", Text),  # the counts, or the error, of the last run
    UniqueConstraint("url", name="uq_sync_source_url"),
)

sync_cursor = Table(
    "sync_cursor",
    metadata,
    # how far a folder, address book or calendar has been read: IMAP UIDVALIDITY and the
    # highest UID ingested, or a DAV collection's ctag/sync-token; written in the same
    # transaction as the records it covers, so an interrupted sync resumes where it stopped
    Column("url", String(500), primary_key=True),
    Column("folder", String(500), primary_key=True),
    Column("validity", Text, nullable=False),
    Column("position", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

sync_item = Table(
    "sync_item",
    metadata,
    # a DAV resource (a vCard or an event) seen at a collection, its etag and the keys of the
    # records it gave: what must go when the server deletes it
    Column("url", String(500), primary_key=True),
    Column("folder", String(500), primary_key=True),
    Column("href", String(1000), primary_key=True),
    Column("etag", Text, nullable=False),
    Column("record_keys", Text, nullable=False),  # JSON list
)

# ----------------------------------------------------------------- communities
# A community database also holds its members and the pool they contribute to. A member's own
# facts stay in their private partition (a schema on PostgreSQL, a file beside the database on
# SQLite); the pool holds only what they contribute, every row keyed by the member, so removing
# a member is deleting their rows. Reads by members go through ``weakties.store.consent``.

member = Table(
    "member",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("handle", String(40), nullable=False),
    Column("name", String(300), nullable=False),
    Column("role", String(8), nullable=False, default="member"),
    Column("sharing", String(8), nullable=False, default="exists"),
    Column("share_names", Boolean, nullable=False, default=False),
    Column("pool_person_id", Integer, ForeignKey("pool_person.id", ondelete="SET NULL")),
    Column("joined_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime),
    Column("published_state", Text),  # what the last publication was made from
    Column("password_hash", String(200)),
    CheckConstraint("sharing IN ('none', 'exists', 'full')", name="sharing_level"),
    UniqueConstraint("handle", name="uq_member_handle"),
)

pool_person = Table(
    "pool_person",
    metadata,
    # one human across members: resolved by identities first, then by name and organisation
    Column("id", Integer, primary_key=True),
    Column("name_key", String(300), nullable=False),  # folded name, for the fuzzy match
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_pool_person_name_key", pool_person.c.name_key)

pool_identity = Table(
    "pool_identity",
    metadata,
    # a keyed digest of an address, phone or URL a member holds for the person (never the text)
    Column("member_id", Integer, ForeignKey("member.id", ondelete="CASCADE"), primary_key=True),
    Column("digest", String(64), primary_key=True),
    Column(
        "pool_person_id",
        Integer,
        ForeignKey("pool_person.id", ondelete="CASCADE"),
        nullable=False,
    ),
)
Index("ix_pool_identity_digest", pool_identity.c.digest)
Index("ix_pool_identity_person", pool_identity.c.pool_person_id)

pool_contact = Table(
    "pool_contact",
    metadata,
    # a member's tie to a person, as that member knows them: kept separately per member
    Column("member_id", Integer, ForeignKey("member.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "pool_person_id",
        Integer,
        ForeignKey("pool_person.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name", String(300), nullable=False),
    Column("org", String(300)),
    Column("org_key", String(300)),
    Column("title", String(300)),
    Column("strength", Float),  # None: known to the member but not scored (no tie of theirs)
    Column("category", String(10)),
)
Index("ix_pool_contact_person", pool_contact.c.pool_person_id)
Index("ix_pool_contact_org_key", pool_contact.c.org_key)

pool_arc = Table(
    "pool_arc",
    metadata,
    # an introduction arc from a member's data: their own tie (``tie``) or two of their contacts
    # who know each other (``knows``), with the probability an ask succeeds each way
    Column("member_id", Integer, ForeignKey("member.id", ondelete="CASCADE"), primary_key=True),
    Column("a_id", Integer, ForeignKey("pool_person.id", ondelete="CASCADE"), primary_key=True),
    Column("b_id", Integer, ForeignKey("pool_person.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("p_ab", Float, nullable=False),
    Column("p_ba", Float, nullable=False),
    CheckConstraint("a_id <> b_id", name="distinct_people"),
)
Index("ix_pool_arc_b", pool_arc.c.b_id)

ask = Table(
    "ask",
    metadata,
    # an introduction requested through a member (the broker), waiting for their answer
    Column("id", Integer, primary_key=True),
    Column("requester_id", Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False),
    Column("broker_id", Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False),
    Column("target_person_id", Integer, ForeignKey("pool_person.id", ondelete="SET NULL")),
    Column("via_person_id", Integer, ForeignKey("pool_person.id", ondelete="SET NULL")),
    Column("target_label", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("status", String(10), nullable=False, default="pending"),
    Column("reply", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    CheckConstraint("requester_id <> broker_id", name="distinct_members"),
)
Index("ix_ask_broker", ask.c.broker_id)
Index("ix_ask_requester", ask.c.requester_id)
