-- 0002: IDENTIFY turns shared by every process of the bot. Discord lets max_concurrency
-- shards identify per 5 s for the whole bot (shard id % max_concurrency is the bucket), so
-- processes book each bucket's next turn here, on the database server's clock.
CREATE TABLE identify_turns (
    bucket  INTEGER PRIMARY KEY,
    next_at DOUBLE PRECISION NOT NULL  -- epoch seconds when the bucket's next turn starts
);
