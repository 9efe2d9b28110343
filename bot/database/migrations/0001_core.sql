-- 0001: key/value facts about this bot installation (e.g. the hash of the last command sync).
CREATE TABLE bot_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
