-- Create an API key, atomically: names are unique, so a second key cannot take a live key's name.
-- KEYS[1] key records hash (digest -> record JSON)   KEYS[2] key names hash (name -> digest)
-- ARGV[1] the key's digest   ARGV[2] its name   ARGV[3] its record JSON
-- Returns 1 when created, 0 when the name is taken.
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
