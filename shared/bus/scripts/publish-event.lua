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
-- ARGV[11] the producer's oldest sequence number in this stream that it has no reply for yet
--          (optional: without it a gap always counts as lost writes, see below)
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
--
-- Unless the messages the gap lacks are still on their way (ARGV[11] is at most the first of
-- them): during a Redis Cluster failover the client re-sends some commands later than newer ones.
-- Such a message is refused with an error starting "EARLY"; the producer sends it again once
-- every earlier one is answered, so the stream keeps the producer's order.
local epoch = redis.call('GET', KEYS[3])
local lost = false
if ARGV[6] ~= '' then
  local seq = tonumber(ARGV[7])
  local last = redis.call('HGET', KEYS[4], ARGV[6])
  local lastSeq = 0
  if last then
    local space = string.find(last, ' ', 1, true)
    lastSeq = tonumber(string.sub(last, 1, space - 1))
    if lastSeq >= seq then
      return string.sub(last, space + 1)
    end
  end
  if lastSeq < seq - 1 then
    local oldestUnanswered = ARGV[11] and tonumber(ARGV[11])
    if oldestUnanswered and oldestUnanswered <= lastSeq + 1 then
      return redis.error_reply('EARLY ' .. ARGV[6] .. ' sent ' .. seq .. ' before ' .. (lastSeq + 1) .. ' arrived')
    end
    -- Without a trace of its earlier messages, they are lost only if the stream goes on (else the
    -- stream was silent for the day the producers hash outlives it, and little history is left).
    lost = last ~= false or epoch ~= false
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
