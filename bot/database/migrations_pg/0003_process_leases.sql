-- 0003: which process runs which shards, for as long as it keeps renewing. A process that
-- stops renewing (killed, machine lost) leaves an expired lease: another process takes its
-- shards' posts over until a process holding a live lease on them comes back. A graceful
-- stop deletes its lease (a restart is expected; nothing is taken over).
CREATE TABLE process_leases (
    boot_id     TEXT PRIMARY KEY,
    shard_count INTEGER NOT NULL,
    shard_ids   INTEGER[] NOT NULL,
    expires_at  DOUBLE PRECISION NOT NULL  -- epoch seconds, on the database server's clock
);
