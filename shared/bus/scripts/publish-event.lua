-- Publish a log or alert: append it to its site's history and publish it, in one atomic step,
-- so a subscriber that misses the live message can always find it in the stream by id.
--
-- KEYS[1] stream key    ({prefix}:{site}:stream)     KEYS[2] events channel ({prefix}:{site}:events)
-- KEYS[3] epoch key     ({prefix}:{site}:epoch)      KEYS[4] producers hash ({prefix}:{site}:producers)
-- KEYS[5] active alerts hash ({prefix}:{site}:active-alerts)
-- ARGV[1] the message JSON (an object, without "id")
-- ARGV[2] history length to keep (approximate)       ARGV[3] history age to keep, ms (0: no age limit)
-- ARGV[4] the stream name (the site, or "_")         ARGV[5] an epoch to use if the stream has none
-- ARGV[6] producer id ("" for none)                  ARGV[7] the producer's sequence number in this stream
-- ARGV[8] "SPUBLISH" on Redis Cluster (sharded pub/sub: the channel is a key of the site's slot),
--         else (or absent) "PUBLISH"
-- ARGV[9] an alert's key ("" for a log)            ARGV[10] the alert's status: "firing" or "resolved"
--
-- Returns the id "<stream>:<epoch>:<entry id>". A message whose producer sequence was already
-- published (a retry after a lost reply) is not published again: its original id is returned.
--
-- A producer numbers its messages 1, 2, 3… per stream and sends them in order, re-sending any whose
-- reply it did not get. So when the sequence this server last stored for it is lower than the one
-- before this message, writes it made were acknowledged and then lost: a replica promoted after
-- asynchronous replication, or a restore from an older snapshot. The stream's history then has a
-- hole nobody could see, so it starts a new epoch: a client resuming from an id of the old one is
-- told HISTORY_TRUNCATED instead of being replayed past the hole in silence.
local epoch = redis.call('GET', KEYS[3])
local lost = false
if ARGV[6] ~= '' then
  local seq = tonumber(ARGV[7])
  local last = redis.call('HGET', KEYS[4], ARGV[6])
  if last then
    local space = string.find(last, ' ', 1, true)
    local lastSeq = tonumber(string.sub(last, 1, space - 1))
    if lastSeq >= seq then
      return string.sub(last, space + 1)
    end
    lost = lastSeq < seq - 1
  else
    -- Its earlier messages left no trace here though the stream goes on: lost too (or the stream
    -- was silent for the day the producers hash outlives it, when little of its history is left).
    lost = seq > 1 and epoch ~= false
  end
end
if not epoch or lost then
  epoch = ARGV[5]
  redis.call('SET', KEYS[3], epoch)
end
local position = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
if ARGV[3] ~= '0' then
  local now = redis.call('TIME')
  local cutoff = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[3])
  if cutoff > 0 then redis.call('XTRIM', KEYS[1], 'MINID', '~', cutoff) end
end
local id = ARGV[4] .. ':' .. epoch .. ':' .. position
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[6], ARGV[7] .. ' ' .. id)
  -- Forget producers that have been silent for a day.
  redis.call('PEXPIRE', KEYS[4], 86400000)
end
local payload = '{"id":"' .. id .. '",' .. string.sub(ARGV[1], 2)
-- The alerts firing now, kept with the stream in the same step: a firing alert (with its id) is
-- set under its key, a resolved one clears it.
if ARGV[9] ~= nil and ARGV[9] ~= '' then
  if ARGV[10] == 'firing' then
    redis.call('HSET', KEYS[5], ARGV[9], payload)
  else
    redis.call('HDEL', KEYS[5], ARGV[9])
  end
end
local publish = ARGV[8] == 'SPUBLISH' and 'SPUBLISH' or 'PUBLISH'
redis.call(publish, KEYS[2], payload)
return id
