-- Merge samples into the usage history: one call per poll of a license server (or per batch of
-- denials), every feature's minute point updated in one atomic step, so collectors that poll the
-- same server, or a poll and a debug log landing in the same minute, never lose an update.
-- A point is a hash field (the minute within its hour) of the hour's hash; its value is
--   issued,min,max,sum,samples,full,queued,denials
-- (issued -1: uncounted; min/max/sum/samples: licenses in use over the polls in the minute;
--  full: polls that found every issued license in use; queued: the most queued; denials: logged).
-- KEYS[2i-1] the hour hash of feature i   KEYS[2i] the servers-of-feature set of feature i
-- ARGV[1] field (minute of the hour)   ARGV[2] ttl ms of both keys   ARGV[3] the server id
-- ARGV[4..] four per feature, in KEYS order: issued (-1 uncounted), used, queued (-1: no sample,
--   a denials-only update), denials to add
local field, ttl, server = ARGV[1], tonumber(ARGV[2]), ARGV[3]
for i = 1, #KEYS / 2 do
  local hour, index = KEYS[2 * i - 1], KEYS[2 * i]
  local a = 4 + (i - 1) * 4
  local issued, used, queued, denials = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local p = { -1, 0, 0, 0, 0, 0, 0, 0 }
  local old = redis.call('HGET', hour, field)
  if old then
    local j = 1
    for n in string.gmatch(old, '[^,]+') do p[j] = tonumber(n); j = j + 1 end
  end
  if queued >= 0 then
    if p[5] == 0 or used < p[2] then p[2] = used end
    if used > p[3] then p[3] = used end
    p[4] = p[4] + used
    p[5] = p[5] + 1
    if issued > 0 and used >= issued then p[6] = p[6] + 1 end
    if queued > p[7] then p[7] = queued end
    if issued > p[1] then p[1] = issued end
  end
  p[8] = p[8] + denials
  redis.call('HSET', hour, field, table.concat(p, ','))
  redis.call('PEXPIRE', hour, ttl)
  redis.call('SADD', index, server)
  redis.call('PEXPIRE', index, ttl)
end
return 1
