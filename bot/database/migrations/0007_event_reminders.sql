-- 0007: per-event reminder switches and an edit counter (part of the reminders' keys, so an
-- edit schedules fresh reminders even when an event moves back to a time it had before).
ALTER TABLE custom_events ADD COLUMN reminders TEXT;  -- '1d,1h,start'; NULL means the defaults
ALTER TABLE custom_events ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
