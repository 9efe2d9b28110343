-- 0006: one-off posts (event reminders, "it's official" announcements, ...) delivered by the
-- same machinery as the daily posts: a row per server and key, written once (the key makes a
-- repeat impossible), claimed by a tick when due, marked 'sending' right before the request
-- and finished as 'sent', 'failed', 'skipped' or 'unconfirmed' (see 0005 for the states).
CREATE TABLE one_off_posts (
    guild_id    INTEGER NOT NULL,
    key         TEXT NOT NULL,      -- e.g. 'reminder:event:12:1h'; unique per server
    kind        TEXT NOT NULL,      -- which renderer writes its text when it is sent
    payload     TEXT NOT NULL,      -- JSON the renderer reads
    due_at      INTEGER NOT NULL,   -- unix seconds: not before
    expires_at  INTEGER NOT NULL,   -- unix seconds: not after (skipped, too late to help)
    nonce       TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (
        state IN ('pending', 'claimed', 'sending', 'sent', 'unconfirmed', 'failed', 'skipped')
    ),
    boot_id     TEXT,
    channel_id  INTEGER,
    message_id  INTEGER,
    sending_at  INTEGER,
    sent_at     INTEGER,
    error       TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, key)
) WITHOUT ROWID, STRICT;

CREATE INDEX one_off_posts_due ON one_off_posts (due_at) WHERE state = 'pending';
CREATE INDEX one_off_posts_open ON one_off_posts (state) WHERE state IN ('claimed', 'sending');
