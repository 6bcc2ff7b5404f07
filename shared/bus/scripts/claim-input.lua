-- Take or keep the lease on an input (e.g. a debug log) and read where its reading stopped, in one
-- atomic step: whoever holds the lease reads the input; the others wait for it to expire.
--
-- KEYS[1] lease ({prefix}:{site}:input:<name>:lease)   KEYS[2] checkpoint ({prefix}:{site}:input:<name>:checkpoint)
-- KEYS[3] producers hash ({prefix}:{site}:producers)
-- ARGV[1] the claimant's token   ARGV[2] lease time, ms   ARGV[3] the input's producer id
--
-- Returns false when another token holds the lease; else { checkpoint or "", the producer's last
-- published sequence number or "0" } (the sequence lets a producer without a checkpoint go on
-- above it, so the de-duplication of publish-event.lua never mistakes its first events for retries).
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return false end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local checkpoint = redis.call('GET', KEYS[2]) or ''
local last = redis.call('HGET', KEYS[3], ARGV[3])
local seq = '0'
if last then seq = string.sub(last, 1, string.find(last, ' ', 1, true) - 1) end
return { checkpoint, seq }
