-- Publish a metrics snapshot: it replaces the latest value of its (site, source) and is published.
-- KEYS[1] latest hash ({prefix}:{site}:latest)   KEYS[2] metrics channel ({prefix}:{site}:metrics)
-- ARGV[1] the snapshot's source ("" when it has none)   ARGV[2] the snapshot JSON
-- ARGV[3] "SPUBLISH" on Redis Cluster (sharded pub/sub), else (or absent) "PUBLISH"
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call(ARGV[3] == 'SPUBLISH' and 'SPUBLISH' or 'PUBLISH', KEYS[2], ARGV[2])
return 1
