-- Revoke an API key by name, atomically, and tell every gateway at once on the control channel
-- (they close the key's live connections and drop it from their caches).
-- KEYS[1] key records hash   KEYS[2] key names hash
-- ARGV[1] the key's name   ARGV[2] the control channel
-- Returns 1 when revoked, 0 when no key has that name.
local digest = redis.call('HGET', KEYS[2], ARGV[1])
if not digest then return 0 end
redis.call('HDEL', KEYS[1], digest)
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[2], cjson.encode({type = 'key-revoked', digest = digest, name = ARGV[1]}))
return 1
