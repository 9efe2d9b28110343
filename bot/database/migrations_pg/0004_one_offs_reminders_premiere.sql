-- 0004: what SQLite's migrations 0006-0008 added, for PostgreSQL: one-off posts, per-event
-- reminder switches with a revision and a token, and the premiere kit's two tables. Same
-- columns and meanings as there (see bot/database/migrations/); instants are unix seconds.

CREATE TABLE one_off_posts (
    guild_id    BIGINT NOT NULL,
    key         TEXT NOT NULL,      -- e.g. 'reminder:event:12:1h'; unique per server
    kind        TEXT NOT NULL,      -- which renderer writes its text when it is sent
    payload     TEXT NOT NULL,      -- JSON the renderer reads (text, like SQLite's rows)
    due_at      BIGINT NOT NULL,    -- not before
    expires_at  BIGINT NOT NULL,    -- not after (skipped, too late to help)
    nonce       TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (
        state IN ('pending', 'claimed', 'sending', 'sent', 'unconfirmed', 'failed', 'skipped')
    ),
    boot_id     TEXT,
    channel_id  BIGINT,
    message_id  BIGINT,
    sending_at  BIGINT,
    sent_at     BIGINT,
    error       TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, key)
);

CREATE INDEX one_off_posts_due ON one_off_posts (due_at) WHERE state = 'pending';
CREATE INDEX one_off_posts_open ON one_off_posts (state) WHERE state IN ('claimed', 'sending');
CREATE INDEX one_off_posts_expiry ON one_off_posts (expires_at);

ALTER TABLE custom_events ADD COLUMN reminders TEXT;  -- '1d,1h,start'; NULL means the defaults
ALTER TABLE custom_events ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE custom_events ADD COLUMN token TEXT;      -- random, set once when added
UPDATE custom_events SET token = substr(md5(random()::text || id::text), 1, 12);

CREATE TABLE premiere_settings (
    guild_id          BIGINT PRIMARY KEY,
    notify_button     SMALLINT NOT NULL DEFAULT 0,
    discord_events    SMALLINT NOT NULL DEFAULT 0,
    events_channel_id BIGINT,
    release_threads   SMALLINT NOT NULL DEFAULT 0,
    thread_channel_id BIGINT,
    spoiler_days      INTEGER NOT NULL DEFAULT 7,
    notify_problem    TEXT,
    events_problem    TEXT,
    threads_problem   TEXT,
    events_paused     SMALLINT NOT NULL DEFAULT 0
);

-- Written before the create request leaves (discord_event_id NULL); see SQLite's 0008.
CREATE TABLE premiere_discord_events (
    guild_id         BIGINT NOT NULL,
    source_key       TEXT NOT NULL,
    discord_event_id BIGINT,
    name             TEXT NOT NULL,
    starts_at        BIGINT NOT NULL,
    ends_at          BIGINT NOT NULL,
    PRIMARY KEY (guild_id, source_key)
);
