-- 0001: the whole schema for PostgreSQL, as SQLite has it after its migration 0005.
-- Same tables, columns and meanings (see bot/database/migrations/); instants are unix
-- seconds (UTC) as there, so both backends share one row format. Flags are 0/1 SMALLINTs.

CREATE TABLE bot_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE guild_settings (
    guild_id        BIGINT PRIMARY KEY,
    channel_id      BIGINT,
    post_time       TEXT,        -- 'HH:MM', local to time_zone
    time_zone       TEXT,        -- IANA name
    role_id         BIGINT,
    target          TEXT,        -- 'next' | 'release:<key>' | 'event:<id>'
    cadence         TEXT,        -- 'daily' | 'milestones'
    silent_routine  SMALLINT CHECK (silent_routine IN (0, 1)),
    enabled         SMALLINT CHECK (enabled IN (0, 1)),
    last_post_at    BIGINT,
    last_message_id BIGINT,
    last_channel_id BIGINT,
    last_error      TEXT,
    last_error_at   BIGINT,
    error_unseen    SMALLINT NOT NULL DEFAULT 0 CHECK (error_unseen IN (0, 1)),
    removed_at      BIGINT,      -- when the bot left the server; purged after a grace period
    updated_at      BIGINT NOT NULL
);

CREATE INDEX guild_settings_removed ON guild_settings (removed_at) WHERE removed_at IS NOT NULL;

CREATE TABLE custom_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    name       TEXT NOT NULL,
    starts_at  BIGINT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);

-- One name per server whatever the case, like SQLite's COLLATE NOCASE.
CREATE UNIQUE INDEX custom_events_name ON custom_events (guild_id, lower(name));

-- Each server's next post instants, ordered by time: a tick reads one range of it.
CREATE TABLE schedule (
    due_at   BIGINT NOT NULL,
    guild_id BIGINT NOT NULL,
    PRIMARY KEY (due_at, guild_id)
);

-- The delivery ledger: one routine post per server per local day. The primary key is the
-- exactly-once guarantee across processes: two claims of one server's day cannot both
-- be inserted, and a claim only replaces a row that left the day open (failed, skipped).
CREATE TABLE deliveries (
    guild_id     BIGINT NOT NULL,
    day_start    BIGINT NOT NULL,
    day_end      BIGINT NOT NULL,
    local_date   TEXT NOT NULL,
    time_zone    TEXT NOT NULL,
    target_key   TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (
        state IN ('claimed', 'sending', 'sent', 'unconfirmed', 'failed', 'skipped')
    ),
    boot_id      TEXT,           -- the process that claimed or sent it
    channel_id   BIGINT,
    message_id   BIGINT,
    scheduled_at BIGINT NOT NULL,
    sending_at   BIGINT,
    sent_at      BIGINT,
    late         SMALLINT NOT NULL DEFAULT 0,
    error        TEXT,
    PRIMARY KEY (guild_id, day_start)
);

CREATE INDEX deliveries_guild_time ON deliveries (guild_id, scheduled_at);
CREATE INDEX deliveries_time ON deliveries (scheduled_at);
CREATE INDEX deliveries_open ON deliveries (state) WHERE state IN ('claimed', 'sending');
