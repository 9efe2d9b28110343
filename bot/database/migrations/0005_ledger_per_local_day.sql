-- 0005: the ledger guards "one routine post per server per local day", whatever the target.
--
-- A row is keyed by the server and the UTC instant its local day began, in the zone in force
-- when the post was planned; the target is only recorded. Before claiming, the tick also asks
-- whether any earlier post of the server (sent, or possibly sent) falls inside the new local
-- day, which covers a zone change between two posts. A row moves through explicit states:
--   claimed     written by a tick, not yet handed to Discord (safe to send after a crash)
--   sending     the request is out (boot_id says which process sent it)
--   sent        Discord answered with a message
--   unconfirmed a crash interrupted the request, and Discord has forgotten its nonce by now:
--               it may have arrived, so the day counts as posted (at most once)
--   failed      Discord refused it for good (the server was paused) - the day stays open
--   skipped     nothing went out (paused, reset or removed before the send) - day stays open
CREATE TABLE deliveries_by_day (
    guild_id     INTEGER NOT NULL,
    day_start    INTEGER NOT NULL,  -- unix seconds of the start of the local day
    day_end      INTEGER NOT NULL,  -- unix seconds of the start of the next local day
    local_date   TEXT NOT NULL,     -- 'YYYY-MM-DD' in time_zone, for people reading
    time_zone    TEXT NOT NULL,
    target_key   TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (
        state IN ('claimed', 'sending', 'sent', 'unconfirmed', 'failed', 'skipped')
    ),
    boot_id      TEXT,              -- the process that claimed or sent it
    channel_id   INTEGER,
    message_id   INTEGER,
    scheduled_at INTEGER NOT NULL,  -- the post instant it stands for
    sending_at   INTEGER,           -- when the request went out
    sent_at      INTEGER,
    late         INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    PRIMARY KEY (guild_id, day_start)
) WITHOUT ROWID, STRICT;

-- Earlier rows keep their nonce; their "day" is their own instant, which is all the
-- overlap check reads. Pending ones may have been in flight: recovery treats them as sent
-- requests (resend within the nonce window, otherwise count as posted).
INSERT OR IGNORE INTO deliveries_by_day SELECT
    d.guild_id, d.scheduled_at, d.scheduled_at + 1, d.local_date,
    coalesce(g.time_zone, 'UTC'), d.target_key, d.nonce,
    CASE d.state WHEN 'pending' THEN 'sending' ELSE d.state END,
    NULL, d.channel_id, d.message_id, d.scheduled_at,
    CASE d.state WHEN 'pending' THEN d.scheduled_at END,
    d.sent_at, d.late, d.error
FROM deliveries AS d LEFT JOIN guild_settings AS g ON g.guild_id = d.guild_id;

DROP TABLE deliveries;
ALTER TABLE deliveries_by_day RENAME TO deliveries;

-- The overlap check and a removed server's purge look rows up by server and instant; the
-- retention delete by instant; start-up recovery by the states a crash can leave behind.
CREATE INDEX deliveries_guild_time ON deliveries (guild_id, scheduled_at);
CREATE INDEX deliveries_time ON deliveries (scheduled_at);
CREATE INDEX deliveries_open ON deliveries (state) WHERE state IN ('claimed', 'sending');
