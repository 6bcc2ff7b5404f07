-- Publish a log or alert: append it to its site's history and publish it, in one atomic step,
-- so a subscriber that misses the live message can always find it in the stream by id.
-- KEYS[1] stream key ({prefix}:{site}:stream)   KEYS[2] events channel ({prefix}:{site}:events)
-- ARGV[1] the message JSON (an object, without "id")  ARGV[2] history length to keep (approximate)
-- ARGV[3] the stream name (the site, or "_")
-- Returns the id: "<stream>:<stream entry id>".
local position = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
local id = ARGV[3] .. ':' .. position
redis.call('PUBLISH', KEYS[2], '{"id":"' .. id .. '",' .. string.sub(ARGV[1], 2))
return id
