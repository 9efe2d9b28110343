-- 0008: the premiere kit (issue 11), each part opt-in per server. Kept apart from
-- guild_settings so the countdown's own columns stay as they are.
CREATE TABLE premiere_settings (
    guild_id          INTEGER PRIMARY KEY,
    notify_button     INTEGER NOT NULL DEFAULT 0,  -- "Notify me" on countdown posts
    discord_events    INTEGER NOT NULL DEFAULT 0,  -- Discord Scheduled Events kept in step
    events_channel_id INTEGER,                     -- voice/stage channel for server events
    release_threads   INTEGER NOT NULL DEFAULT 0,  -- a discussion thread at each release
    thread_channel_id INTEGER,                     -- NULL: the countdown channel
    spoiler_days      INTEGER NOT NULL DEFAULT 7,
    -- The last problem of each part, for /premiere status (NULL: none). events_paused stops
    -- only the Discord events part after Discord refused it (missing Manage Events).
    notify_problem    TEXT,
    events_problem    TEXT,
    threads_problem   TEXT,
    events_paused     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One Discord Scheduled Event per server and source (a release or a server event). The row is
-- written before the create request leaves (discord_event_id NULL), so a crash in between is
-- seen at start-up and resolved against the events that exist on Discord, never by a blind
-- second create.
CREATE TABLE premiere_discord_events (
    guild_id         INTEGER NOT NULL,
    source_key       TEXT NOT NULL,     -- 'release:season-4' or 'event:12'
    discord_event_id INTEGER,           -- NULL while a create may be in flight
    name             TEXT NOT NULL,
    starts_at        INTEGER NOT NULL,  -- unix seconds, as last sent to Discord
    ends_at          INTEGER NOT NULL,
    PRIMARY KEY (guild_id, source_key)
) WITHOUT ROWID, STRICT;
