-- Replica heartbeats: a replica marks itself live and learns how many replicas are, to take its share of a
-- tenant's QPS limit while the store is unreachable (on_error: allow; docs/reliability.md). Called every few
-- seconds by each replica, never per request; timed by the Redis server's clock.
-- KEYS: 1 sorted set of replica ids scored by their last heartbeat (ms)
-- ARGV: 1 replica id, 2 ttl ms (ids not renewed within it are dropped)
-- Returns {live replicas, this one included}.

local now_ms = math.floor(now_us() / 1000)
local ttl = num(ARGV[2])
redis.call('ZADD', KEYS[1], fmt(now_ms), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', fmt(now_ms - ttl))
-- Gone with the last replica: nothing renews it then.
redis.call('PEXPIRE', KEYS[1], fmt(ttl))
return { redis.call('ZCARD', KEYS[1]) }
