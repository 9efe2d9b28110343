-- 0002: per-server countdown settings, custom events and the delivery ledger.

-- One row per server that changed anything. A NULL setting column means "the default
-- in code" (bot/countdown/settings.py), so defaults can improve without a migration.
CREATE TABLE guild_settings (
    guild_id        INTEGER PRIMARY KEY,
    channel_id      INTEGER,
    post_time       TEXT,       -- 'HH:MM', local to time_zone
    time_zone       TEXT,       -- IANA name
    role_id         INTEGER,
    target          TEXT,       -- 'next' | 'release:<key>' | 'event:<id>'
    cadence         TEXT,       -- 'daily' | 'milestones'
    silent_routine  INTEGER,    -- 0/1
    enabled         INTEGER,    -- 0/1
    -- Scheduling state, derived from the settings and kept here so the tick is one indexed query.
    next_post_at    INTEGER,    -- unix seconds (UTC) of the next post, NULL when nothing is due
    -- What happened last, for /countdown status.
    last_post_at    INTEGER,
    last_message_id INTEGER,
    last_error      TEXT,
    last_error_at   INTEGER,
    error_unseen    INTEGER NOT NULL DEFAULT 0,  -- 1 until an admin has been told
    removed_at      INTEGER,    -- when the bot left the server; purged after a grace period
    updated_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX guild_settings_due ON guild_settings (next_post_at) WHERE next_post_at IS NOT NULL;
CREATE INDEX guild_settings_removed ON guild_settings (removed_at) WHERE removed_at IS NOT NULL;

CREATE TABLE custom_events (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    starts_at  INTEGER NOT NULL,    -- unix seconds (UTC)
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (guild_id, name COLLATE NOCASE)
) STRICT;

-- Exactly one post per server, target and local day: the row is written (state 'pending')
-- before the message is sent, and the message carries a nonce derived from the same key,
-- so neither a retry nor a crash between the two can produce a second post.
CREATE TABLE deliveries (
    guild_id     INTEGER NOT NULL,
    target_key   TEXT NOT NULL,
    local_date   TEXT NOT NULL,     -- 'YYYY-MM-DD' in the server's zone
    nonce        TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
    channel_id   INTEGER,
    message_id   INTEGER,
    scheduled_at INTEGER NOT NULL,
    sent_at      INTEGER,
    late         INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    PRIMARY KEY (guild_id, target_key, local_date)
) STRICT;
