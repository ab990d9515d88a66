-- The embedded helpdesk's schema (PRAGMA user_version = store.SCHEMA_VERSION).
--
-- Ids are opaque TEXT (the demo uses short numeric strings such as "1042").
-- Times are ISO-8601 UTC text of fixed width ("2026-11-22T09:30:00.000000Z"),
-- so string order is time order and indexes on them sort correctly.
-- CHECK constraints keep the vocabularies equal to the domain enums, so a row
-- edited by hand can never make the queue fail to parse. (OR chains, not IN:
-- SQLite builds an ephemeral table for IN per checked row, doubling insert time.)
-- Every statement is idempotent: the file is replayed on each open of a
-- fresh database.

CREATE TABLE IF NOT EXISTS organizations (
    id    TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    tier  TEXT,
    vip   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS people (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- NOCASE: get_person accepts an email as typed ("Ana@Acme.example").
    email           TEXT UNIQUE COLLATE NOCASE,
    first_name      TEXT NOT NULL DEFAULT '',
    tier            TEXT,
    account_value   REAL,
    created_at      TEXT,
    organization_id TEXT REFERENCES organizations(id) ON DELETE SET NULL
);

CREATE TABLE IF NOT EXISTS tickets (
    id              TEXT PRIMARY KEY,
    subject         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL
        CHECK (status = 'new' OR status = 'open' OR status = 'pending' OR status = 'on_hold' OR status = 'solved' OR status = 'closed'),
    priority        TEXT NOT NULL CHECK (priority = 'low' OR priority = 'normal' OR priority = 'high' OR priority = 'urgent'),
    requester_id    TEXT NOT NULL REFERENCES people(id),
    organization_id TEXT REFERENCES organizations(id) ON DELETE SET NULL,
    assignee        TEXT,
    grp             TEXT,
    -- A JSON array: the queue reads tags with the row, no join per ticket.
    tags            TEXT NOT NULL DEFAULT '[]',
    channel         TEXT NOT NULL DEFAULT 'email',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    excerpt         TEXT NOT NULL DEFAULT ''
);
-- The queue pages through one status at a time in rowid order; an index on
-- status holds (status, rowid), so each page is a range read with no sort.
CREATE INDEX IF NOT EXISTS tickets_status ON tickets(status);
CREATE INDEX IF NOT EXISTS tickets_requester ON tickets(requester_id, created_at);
CREATE INDEX IF NOT EXISTS tickets_assignee ON tickets(assignee);
-- The queue verb counts the tickets of some statuses and priorities
-- (`triage queue --filter priority:urgent`): a range of this index, no row read.
CREATE INDEX IF NOT EXISTS tickets_status_priority ON tickets(status, priority);

CREATE TABLE IF NOT EXISTS sla_targets (
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    metric    TEXT NOT NULL,
    due_at    TEXT NOT NULL,
    stage     TEXT NOT NULL DEFAULT 'active' CHECK (stage = 'active' OR stage = 'achieved' OR stage = 'paused'),
    PRIMARY KEY (ticket_id, metric)
);
-- The console's first screen: the active targets that fall due first.
CREATE INDEX IF NOT EXISTS sla_targets_due ON sla_targets(stage, due_at);

CREATE TABLE IF NOT EXISTS messages (
    id           TEXT PRIMARY KEY,
    ticket_id    TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    author       TEXT NOT NULL,
    author_email TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL CHECK (role = 'customer' OR role = 'agent' OR role = 'system'),
    public       INTEGER NOT NULL DEFAULT 1,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_ticket ON messages(ticket_id, created_at);

CREATE TABLE IF NOT EXISTS articles (
    -- The implicit rowid is the FTS content rowid; id is the public key.
    id      TEXT NOT NULL UNIQUE,
    title   TEXT NOT NULL,
    body    TEXT NOT NULL DEFAULT '',
    url     TEXT NOT NULL DEFAULT '',
    section TEXT NOT NULL DEFAULT ''
);

-- External-content FTS index over title + body, kept in sync by triggers so
-- no writer can forget it (kb import, demo, a person with the sqlite3 shell).
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, body, content='articles', content_rowid='rowid',
    tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;
CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
END;
CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;

CREATE TABLE IF NOT EXISTS events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    name      TEXT NOT NULL,
    at        TEXT NOT NULL,
    ticket_id TEXT,
    actor     TEXT NOT NULL DEFAULT '',
    payload   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS events_at ON events(at);
CREATE INDEX IF NOT EXISTS events_ticket ON events(ticket_id);

-- The change feed (Helpdesk.changes_since): one row per kind of change, written
-- in the same transaction as the write itself (writes.record_change), so a
-- reader in another process sees a change exactly when it commits. seq is the
-- cursor; AUTOINCREMENT so a seq is never reused.
CREATE TABLE IF NOT EXISTS changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL DEFAULT ''
);
