-- 0007: per-event reminder switches, an edit counter and a token, both part of the reminders'
-- keys: an edit schedules fresh reminders even when an event moves back to a time it had
-- before, and a new event that gets a removed event's id (SQLite reuses the last rowid)
-- never collides with that event's old reminders.
ALTER TABLE custom_events ADD COLUMN reminders TEXT;  -- '1d,1h,start'; NULL means the defaults
ALTER TABLE custom_events ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE custom_events ADD COLUMN token TEXT;      -- random, set once when added
UPDATE custom_events SET token = lower(hex(randomblob(6)));
