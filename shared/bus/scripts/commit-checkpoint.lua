-- Store an input's checkpoint, only while the lease is the caller's (a producer that lost its
-- lease, e.g. paused past its expiry, cannot move the reading position of the one that took over),
-- and extend the lease. ARGV[2] "" releases the lease instead of storing (a clean stop).
--
-- KEYS[1] lease   KEYS[2] checkpoint
-- ARGV[1] the holder's token   ARGV[2] the checkpoint ("" to release without storing)
-- ARGV[3] lease time, ms       ARGV[4] "release" to give the lease up after storing
--
-- Returns 1 when done, 0 when the lease is not the caller's.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2]) end
if ARGV[4] == 'release' then
  redis.call('DEL', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
