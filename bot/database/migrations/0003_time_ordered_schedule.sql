-- 0003: the schedule moves out of guild_settings into its own table, ordered by time.
--
-- A tick used to rewrite next_post_at in ~1,000 rows scattered over the whole settings
-- table. Keyed by (due_at, guild_id), a tick instead reads one contiguous range, deletes it,
-- and inserts the next instants, which land together about a day later: a few pages
-- instead of hundreds. An entry left behind by a settings change is not updated in place;
-- the tick recognises it as stale (it no longer matches the server's post time) and drops it.
CREATE TABLE schedule (
    due_at   INTEGER NOT NULL,  -- unix seconds (UTC) of a post instant
    guild_id INTEGER NOT NULL,
    PRIMARY KEY (due_at, guild_id)
) WITHOUT ROWID, STRICT;

INSERT INTO schedule (due_at, guild_id)
SELECT next_post_at, guild_id FROM guild_settings WHERE next_post_at IS NOT NULL;

DROP INDEX guild_settings_due;
ALTER TABLE guild_settings DROP COLUMN next_post_at;

-- The ledger becomes a WITHOUT ROWID table keyed by day first: one B-tree instead of a table
-- plus a key index halves a tick's ledger writes, a tick only writes into today's part of it,
-- and rows past the retention period go with one range delete.
CREATE TABLE deliveries_by_key (
    guild_id     INTEGER NOT NULL,
    target_key   TEXT NOT NULL,
    local_date   TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
    channel_id   INTEGER,
    message_id   INTEGER,
    scheduled_at INTEGER NOT NULL,
    sent_at      INTEGER,
    late         INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    PRIMARY KEY (local_date, guild_id, target_key)
) WITHOUT ROWID, STRICT;

INSERT INTO deliveries_by_key SELECT
    guild_id, target_key, local_date, nonce, state, channel_id, message_id, scheduled_at,
    sent_at, late, error
FROM deliveries;

DROP TABLE deliveries;
ALTER TABLE deliveries_by_key RENAME TO deliveries;
