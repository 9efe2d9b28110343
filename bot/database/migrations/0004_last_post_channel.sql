-- 0004: remember which channel the last post went to, so /countdown status links to it
-- correctly after the countdown moved to another channel.
ALTER TABLE guild_settings ADD COLUMN last_channel_id INTEGER;
