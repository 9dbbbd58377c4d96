"""The tables. Money is BIGINT fen; JSON columns hold the engine's own JSON writers' output.

Append-only tables (journals, postings, audit_log) are only ever inserted into.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
    }
)

persons = Table(
    "persons",
    metadata,
    Column("person_id", String(40), primary_key=True),
    Column("id_number", String(18), nullable=False, unique=True),  # never shown unmasked
    Column("name", String(100), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("region", String(6), nullable=False),  # insured region (参保地)
    # the individual account (个人账户), carried across years; version for optimistic checks
    Column("account_balance", BigInteger, nullable=False, default=0),
    Column("version", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

employers = Table(
    "employers",
    metadata,
    Column("employer_id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region", String(6), nullable=False),
)

enrollments = Table(
    "enrollments",
    metadata,
    Column("enrollment_id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", ForeignKey("persons.person_id"), nullable=False, index=True),
    Column("scheme", String(16), nullable=False),
    Column("person_type", String(16), nullable=False),
    Column("region", String(6), nullable=False),
    Column("employer_id", ForeignKey("employers.employer_id"), nullable=True),
    Column("wage", BigInteger, nullable=True),  # monthly wage (employees)
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
)

assistance = Table(
    "assistance_categories",
    metadata,
    Column("assistance_id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", ForeignKey("persons.person_id"), nullable=False, index=True),
    Column("category", String(20), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
)

filings = Table(
    "cross_region_filings",
    metadata,
    Column("filing_id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", ForeignKey("persons.person_id"), nullable=False, index=True),
    Column("treatment_region", String(6), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    # recorded → approved (备案审核); only an approved filing makes care there filed care
    Column("status", String(12), nullable=False, server_default="approved"),
    Column("recorded_by", String(60), nullable=False, server_default=""),
)

accumulators = Table(
    "accumulators",
    metadata,
    Column("person_id", ForeignKey("persons.person_id"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("data", JSON, nullable=False),  # accumulators_to_data (without the account)
    Column("version", Integer, nullable=False, default=0),
)

settlements = Table(
    "settlements",
    metadata,
    Column("settlement_id", Integer, primary_key=True, autoincrement=True),
    Column("provider_id", String(40), nullable=False),
    Column("claim_no", String(60), nullable=False),
    Column("person_id", ForeignKey("persons.person_id"), nullable=False, index=True),
    Column("scheme", String(16), nullable=False),
    Column("insured_region", String(6), nullable=False),
    Column("treatment_region", String(6), nullable=False),
    Column("visit", String(24), nullable=False),
    Column("settle_date", Date, nullable=False),
    Column("status", String(12), nullable=False),  # settled | reversed
    Column("parts", JSON, nullable=False),  # {part: fen}
    Column("result", JSON, nullable=False),  # settlement_to_data: parts, trace, before, after
    Column("journal_id", String(200), nullable=False),
    Column("reversal_journal_id", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("provider_id", "claim_no", name="uq_settlements_provider_claim"),
)

journals = Table(
    "journals",
    metadata,
    Column("journal_id", String(200), primary_key=True),
    Column("day", Date, nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("ref", String(120), nullable=False, index=True),
    Column("memo", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

postings = Table(
    "postings",
    metadata,
    Column("posting_id", Integer, primary_key=True, autoincrement=True),
    Column("journal_id", ForeignKey("journals.journal_id"), nullable=False, index=True),
    Column("region", String(6), nullable=False),
    Column("fund", String(24), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item", String(40), nullable=False),
    Column("sub", String(60), nullable=False),
    Column("amount", BigInteger, nullable=False),
)
Index("ix_postings_region_fund", postings.c.region, postings.c.fund)
Index("ix_postings_sub", postings.c.sub)  # a person's account transactions

contribution_runs = Table(
    "contribution_runs",
    metadata,
    Column("region", String(6), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("journals", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(60), nullable=False),
    Column("role", String(20), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(120), nullable=False),
    Column("detail", Text, nullable=False),
)

providers = Table(
    "providers",
    metadata,
    Column("provider_id", String(40), primary_key=True),  # 定点医药机构编码
    Column("name", String(200), nullable=False),
    Column("level", String(2), nullable=False),  # L1 | L2 | L3 (医院等级)
    Column("region", String(6), nullable=False, index=True),  # where it treats (就医地)
    Column(
        "kind", String(20), nullable=False
    ),  # hospital | primary_care | community | clinic | pharmacy
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(24), primary_key=True),
    Column("key_hash", String(64), nullable=False),  # sha256 of the whole token
    Column("role", String(20), nullable=False),
    Column("region", String(6), nullable=True),
    Column("person_id", String(40), nullable=True),
    Column("provider_id", String(40), nullable=True),
    Column("name", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# supervision cases (稽核案件): the current state; every transition is an appended event
supervision_cases = Table(
    "supervision_cases",
    metadata,
    Column("case_id", String(60), primary_key=True),
    Column("provider_id", String(40), nullable=False, index=True),
    Column("region", String(6), nullable=False, index=True),
    Column("fund", String(24), nullable=False),
    Column("rule_codes", JSON, nullable=False),  # sorted list of rule codes
    Column("claim_ids", JSON, nullable=False),  # sorted list of claim ids
    Column("flagged_fen", BigInteger, nullable=False),  # what the hits put in question
    Column("recovered_fen", BigInteger, nullable=False, default=0),  # fixed on confirmation
    Column("status", String(16), nullable=False),  # open | under_review | confirmed | dismissed
    Column("journal_id", String(200), nullable=True),  # the clawback journal once confirmed
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

supervision_case_events = Table(
    "supervision_case_events",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("supervision_cases.case_id"), nullable=False, index=True),
    Column("from_status", String(16), nullable=True),  # null for the opening event
    Column("to_status", String(16), nullable=False),
    Column("reviewer", String(60), nullable=False),
    Column("reason", Text, nullable=False),
    Column("day", Date, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# web console logins (网页登录): a scrypt hash per user, failed attempts counted for lockout
web_users = Table(
    "web_users",
    metadata,
    Column("username", String(60), primary_key=True),
    Column("password_hash", String(200), nullable=False),  # scrypt$n$r$p$salt$hash
    Column("role", String(20), nullable=False),  # staff | supervisor | fund_manager | insured
    Column("region", String(6), nullable=True),
    Column("person_id", String(40), nullable=True),
    Column("display_name", String(100), nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),  # sha256 of the cookie value
    Column("username", ForeignKey("web_users.username"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# imported catalogues (医保目录): a dated version per region, its items (price cap in fen,
# ratios as decimal text)
catalogue_versions = Table(
    "catalogue_versions",
    metadata,
    Column("version_id", Integer, primary_key=True, autoincrement=True),
    Column("region", String(6), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("name", String(100), nullable=False),
    Column("source", String(300), nullable=False),
    Column("items", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("region", "valid_from"),
)

catalogue_items = Table(
    "catalogue_items",
    metadata,
    Column("version_id", ForeignKey("catalogue_versions.version_id"), primary_key=True),
    Column("code", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("item_class", String(1), nullable=False),
    Column("preself_ratio", String(8), nullable=True),
    Column("price_cap", BigInteger, nullable=True),
    Column("sex", String(1), nullable=True),
    Column("min_age", Integer, nullable=True),
    Column("max_age", Integer, nullable=True),
    Column("visit_types", String(100), nullable=True),
    Column("fund_ratio", String(8), nullable=True),
    Column("synthetic", Boolean, nullable=False),
)
