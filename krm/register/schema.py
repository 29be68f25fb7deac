"""The register's tables (SQLAlchemy Core: one schema for SQLite and PostgreSQL) and its numbered migrations.

A workbook is its bytes (``workbook``: SHA-256, size, first/last seen; ``workbook_path``: every path it
was seen at).  Reading it with one krm (the *engine*, :mod:`krm.register.engine`) gives a ``reading``:
the form, the edition read against, the header, the typed rows (``row_value``: one row per cell, by
column key, so a change of the typed model adds keys, not columns) and their control totals.  Checking
a reading on a validation date gives a ``check`` with its ``finding`` rows.  A reading that could be
placed belongs to a ``submission`` (form, region, district, programme, period) as one of its
``version`` rows, numbered in the order received; every change of a version's state is a
``state_change`` row.  ``krm_register`` marks the database as a krm register and holds the schema
version; ``krm_migration`` lists the migrations applied.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData, String,
                        Table,
                        Text, UniqueConstraint)

metadata = MetaData()

#: the mark of a krm register: a database without this table (and the row ``kind = krm-register``) is refused
krm_register = Table(
    "krm_register", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

krm_migration = Table(
    "krm_migration", metadata,
    Column("number", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

workbook = Table(
    "workbook", metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("size", BigInteger, nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("read_error", String(16)),  # the KRM-E00x code when it could not be read at all (last time)
)

workbook_path = Table(
    "workbook_path", metadata,
    Column("id", Integer, primary_key=True),
    Column("workbook_id", Integer, ForeignKey("workbook.id"), nullable=False),
    Column("path", Text, nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    UniqueConstraint("workbook_id", "path", name="uq_workbook_path"),
)

reading = Table(
    "reading", metadata,
    Column("id", Integer, primary_key=True),
    Column("workbook_id", Integer, ForeignKey("workbook.id"), nullable=False),
    Column("engine", String(32), nullable=False),  # krm's code, data and readers (krm.register.engine)
    Column("form", String(8)),
    Column("edition", String(32)),  # the edition (spec version) the workbook was read against
    Column("lang", String(4)),
    Column("created", DateTime, nullable=False),
    Column("submission", Text),  # tagged JSON of the Submission's own fields (None: not converted)
    Column("header", Text),  # tagged JSON: the header cells as read
    Column("n_rows", Integer, nullable=False),
    Column("totals", Text),  # JSON: control totals of the rows (plan, fact, allocated, disbursed), as text
    Column("digest", String(64), nullable=False),  # SHA-256 of everything stored for this reading (verify)
    UniqueConstraint("workbook_id", "engine", name="uq_reading"),
)

row_value = Table(
    "row_value", metadata,
    Column("reading_id", Integer, ForeignKey("reading.id"), nullable=False),
    Column("row_no", Integer, nullable=False),  # 0-based, in sheet order
    Column("kind", String(24), nullable=False),  # the model class of the row (ProjectRow, RegionRow)
    Column("key", String(64), nullable=False),  # column key; "by_activity.3" for a keyed part
    Column("type", String(1), nullable=False),  # i int, d decimal, D date, T datetime, s text, b bool, n none
    Column("text", Text),  # the exact value as text (decimals exact)
    Column("num", Text),  # the number again for analysts' queries (NULL for text)
    Index("ix_row_value_reading", "reading_id", "row_no"),
)

check = Table(
    "check_result", metadata,
    Column("id", Integer, primary_key=True),
    Column("reading_id", Integer, ForeignKey("reading.id"), nullable=False),
    Column("as_of", Date, nullable=False),  # the validation date: deadline findings depend on it
    Column("created", DateTime, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("digest", String(64), nullable=False),
    UniqueConstraint("reading_id", "as_of", name="uq_check"),
)

finding = Table(
    "finding", metadata,
    Column("check_id", Integer, ForeignKey("check_result.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("code", String(16), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("sheet", Text),
    Column("cell", String(16)),
    Column("data", Text, nullable=False),  # tagged JSON: row, column, title, value, related, params, form
    Index("ix_finding_check", "check_id", "seq"),
)

submission = Table(
    "submission", metadata,
    Column("id", Integer, primary_key=True),
    Column("form", String(8), nullable=False),
    Column("region", String(2), nullable=False),  # "" when the level has none (KRM-4/5, KRM-6/7)
    Column("district", String(9), nullable=False),
    Column("programme", String(32), nullable=False),
    Column("period", String(7), nullable=False),
    UniqueConstraint("form", "region", "district", "programme", "period", name="uq_submission"),
)

version = Table(
    "version", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submission.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("workbook_id", Integer, ForeignKey("workbook.id"), nullable=False),
    Column("reading_id", Integer, ForeignKey("reading.id"), nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("state", String(12), nullable=False),
    UniqueConstraint("submission_id", "number", name="uq_version_number"),
    UniqueConstraint("submission_id", "workbook_id", name="uq_version_workbook"),
)

state_change = Table(
    "state_change", metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("version.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("by", Text, nullable=False),
    Column("from_state", String(12)),  # None for the first state (received)
    Column("to_state", String(12), nullable=False),
    Column("reason", Text),
    Index("ix_state_change_version", "version_id", "id"),
)


# ------------------------------------------------------------------ the portal (krm serve, docs/serve.md)
#: an office's account: its role and the reporting unit it is tied to (district KATO, region KATO, programme
#: code for a central body, "" for the Centre and administrators); the password only as an argon2 hash
account = Table(
    "account", metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(12), nullable=False),  # district | oblast | central | centre | admin
    Column("unit", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("lang", String(2), nullable=False),
    Column("active", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

#: a signed-in session: the cookie holds a random token, the table its SHA-256 (a stolen table opens nothing)
portal_session = Table(
    "portal_session", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("account.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
)

#: every file received through the portal (a workbook or a signature), whoever sent it and what became of it
upload = Table(
    "upload", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("account.id"), nullable=False),
    Column("kind", String(12), nullable=False),  # workbook | signature
    Column("sha256", String(64), nullable=False),
    Column("filename", Text, nullable=False),  # as sent (shown escaped; never used as a path)
    Column("size", BigInteger, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("form", String(8)),
    Column("period", String(8)),
    Column("unit", String(16)),  # the district (or region) the workbook's header names
    Column("errors", Integer),
    Column("warnings", Integer),
    Column("outcome", String(16), nullable=False),  # version | refused | unreadable | unplaced | verified | rejected
    Column("detail", Text),
    Column("version_id", Integer, ForeignKey("version.id")),
    Index("ix_upload_account", "account_id", "id"),
    Index("ix_upload_version", "version_id"),
)

confirmation = Table(
    "confirmation", metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("version.id"), nullable=False),
    Column("workbook_sha256", String(64), nullable=False),  # the exact bytes the signature covers
    Column("signature_sha256", String(64), nullable=False),  # the signature file's bytes
    Column("signer_iin", String(12)),
    Column("signer_bin", String(12)),
    Column("signer_name", Text, nullable=False),
    Column("signer_role", Text, nullable=False),
    Column("certificate_serial", Text, nullable=False),  # hex, as the certificate carries it
    Column("certificate_issuer", Text, nullable=False),
    Column("algorithm", Text, nullable=False),
    Column("signing_time", DateTime),  # UTC, from the signed attributes
    Column("by", Text, nullable=False),  # who ran krm confirm
    Column("at", DateTime, nullable=False),
    Index("ix_confirmation_version", "version_id", "id"),
)

explanation = Table(  # an explanation of a warning, accepted by the oblast (the text as the workbook gave it)
    "explanation", metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("version.id"), nullable=False),
    Column("code", String(16), nullable=False),
    Column("sheet", Text),
    Column("cell", String(16), nullable=False),  # "" when the finding has no cell
    Column("text", Text, nullable=False),
    Column("author", Text),  # who wrote it (the sheet's column "who")
    Column("written", Text),  # the date as the sheet gives it
    Column("accepted_by", Text, nullable=False),
    Column("accepted_at", DateTime, nullable=False),
    UniqueConstraint("version_id", "code", "cell", name="uq_explanation"),
)

written_explanation = Table(  # a district's explanation of a warning written in the portal (krm serve) against
    # a workbook's finding: the submitted workbook's bytes are never changed; the latest row of a key wins
    "written_explanation", metadata,
    Column("id", Integer, primary_key=True),
    Column("workbook_id", Integer, ForeignKey("workbook.id"), nullable=False),
    Column("code", String(16), nullable=False),
    Column("cell", String(16), nullable=False),  # "" when the finding has no cell
    Column("text", Text, nullable=False),
    Column("author", Text, nullable=False),  # the account that wrote it
    Column("at", DateTime, nullable=False),
    Index("ix_written_explanation_workbook", "workbook_id", "id"),
)

# ------------------------------------------------------------------ migration 5: the run-level memo (docs/register.md)
#: a file's identity on disk when its bytes were last hashed: the same (host, path, device, inode, size, mtime_ns,
#: ctime_ns) again means the same bytes, without reading them (recorded only for files whose times were at least
#: :data:`krm.register.memo.SETTLED_NS` old when they were read; anything else is hashed)
file_stat = Table(
    "file_stat", metadata,
    Column("id", Integer, primary_key=True),
    Column("host", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("device", BigInteger, nullable=False),
    Column("inode", BigInteger, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("ctime_ns", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("seen", DateTime, nullable=False),
    UniqueConstraint("host", "path", name="uq_file_stat"),
)

#: what the roll-ups need of a reading's rows (krm.rollup.Digest as tagged JSON): aggregate and report use it
#: without loading the rows; derived from the rows (verify re-derives it)
reading_digest = Table(
    "reading_digest", metadata,
    Column("reading_id", Integer, ForeignKey("reading.id"), primary_key=True),
    Column("data", Text, nullable=False),
    Column("seal", String(64), nullable=False),  # SHA-256 of the reading's digest and data: a changed one is not used
)

#: an output file a command wrote: what determined it (``recipe``: SHA-256 over the engine, the options and
#: every input's name and SHA-256), the inputs themselves, and the SHA-256 of the bytes written
output_memo = Table(
    "output_memo", metadata,
    Column("id", Integer, primary_key=True),
    Column("host", Text, nullable=False),
    Column("path", Text, nullable=False),  # the output file's absolute path
    Column("command", String(16), nullable=False),  # aggregate | report
    Column("engine", String(32), nullable=False),
    Column("recipe", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("inputs", Text, nullable=False),  # JSON: [[name, sha256], …] of the workbooks that fed it
    Column("data", Text),  # tagged JSON: what the command's summary needs of it (KRM-3: its control totals)
    Column("written", DateTime, nullable=False),
    UniqueConstraint("host", "path", name="uq_output_memo"),
)

# ------------------------------------------------------------------ migration 6: a reading's rows in one row
#: a reading's typed rows as one compact JSON text: the cells ``[[row_no, kind, key, type, text, num], …]`` (the
#: same cells, in the same order, as ``row_value`` held one row each; readings recorded before migration 6 keep
#: theirs in ``row_value``, which is still read)
reading_rows = Table(
    "reading_rows", metadata,
    Column("reading_id", Integer, ForeignKey("reading.id"), primary_key=True),
    Column("cells", Text, nullable=False),
)

# ------------------------------------------------------------------ migration 7: what a report keeps of a workbook
#: what ``krm report`` keeps of a workbook's bytes (krm.report.remembered: its FileSummary, or that it is excluded,
#: or nothing, with its form hint) for one context (``recipe``: the engine, krm's version and the report's periods)
#: and validation date: a report made again after a few files changed validates only those.  One row per bytes and
#: context, replaced by a later validation date (it does not grow with the days a month is reported)
report_input = Table(
    "report_input", metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False),  # of the workbook's bytes
    Column("recipe", String(64), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("data", Text, nullable=False),  # tagged JSON
    Column("seal", String(64), nullable=False),  # SHA-256 of sha256, recipe, as_of and data: a changed row is not used
    Column("written", DateTime, nullable=False),
    UniqueConstraint("sha256", "recipe", name="uq_report_input"),
)

# ------------------------------------------------------------------ migration 8: stored answers of whole commands
#: the last full run of a command with the register on, per invocation (command, working folder, options,
#: environment): what it printed and its exit code, under the recipe it held for (krm/register/answers.py)
command_answer = Table(
    "command_answer", metadata,
    Column("id", Integer, primary_key=True),
    Column("host", Text, nullable=False),
    Column("command", String(16), nullable=False),  # validate | aggregate
    Column("invocation", String(64), nullable=False),  # SHA-256 of the command, folder, options and environment
    Column("recipe", String(64), nullable=False),  # SHA-256 of the invocation, engine, day, inputs, register's generation
    Column("exit_code", Integer, nullable=False),
    Column("stdout", LargeBinary, nullable=False),  # what it printed (UTF-8, zlib-compressed)
    Column("stderr", Text, nullable=False),  # what a run now prints on stderr
    Column("seal", String(64), nullable=False),  # SHA-256 of stdout, recipe and exit code: a changed row is not used
    Column("written", DateTime, nullable=False),
    UniqueConstraint("host", "command", "invocation", name="uq_command_answer"),
)

_FIRST = ("workbook", "workbook_path", "reading", "row_value", "check_result", "finding", "submission", "version",
          "state_change")


def _create_all(conn) -> None:
    metadata.create_all(conn, tables=[t for t in metadata.sorted_tables if t.name in _FIRST])


def _approval(conn) -> None:
    metadata.create_all(conn, tables=[confirmation, explanation])


#: the numbered migrations, in order: (number, name, function of a connection). Never renumber, only add.
MIGRATIONS = [
    (1, "the first schema: workbooks, readings, rows, checks, findings, submissions, versions, audit", _create_all),
    (2, "approval: confirmations with a digital signature, accepted explanations of warnings", _approval),
    (3, "the portal: accounts, sessions, uploads (krm serve)", lambda conn: metadata.create_all(
        conn, tables=[account, portal_session, upload])),
    (4, "explanations of warnings written in the portal", lambda conn: metadata.create_all(
        conn, tables=[written_explanation])),
    (5, "the run-level memo: file identities, readings' digests, outputs and their inputs", lambda conn: metadata.create_all(
        conn, tables=[file_stat, reading_digest, output_memo])),
    (6, "a reading's typed rows as one compact JSON row (row_value still read for older readings)",
     lambda conn: metadata.create_all(conn, tables=[reading_rows])),
    (7, "what krm report keeps of each workbook, so that a report after a few edits validates only those",
     lambda conn: metadata.create_all(conn, tables=[report_input])),
    (8, "stored answers of whole commands on an unchanged month (validate, aggregate)",
     lambda conn: metadata.create_all(conn, tables=[command_answer])),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]
