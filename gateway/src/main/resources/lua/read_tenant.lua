-- Reads a tenant for the admin API as lines of SEP-separated fields (one consistent snapshot):
--   T id name status created | G group mode quota used activated | L group id:r-less lot fields
--   | Q group purchase fields | K key id digest created revoked
-- KEYS: 1 tenant hash, 2 key records. ARGV: 1 prefix
local prefix = ARGV[1]
local T, KI = KEYS[1], KEYS[2]
if redis.call('EXISTS', T) == 0 then return {} end
local t = redis.call('HMGET', T, 'id', 'name', 'status', 'created')
local out = { join('T', t[1], t[2] or '', t[3], t[4]) }
for _, group in ipairs(redis.call('SMEMBERS', prefix .. 'groups')) do
  local gkey = prefix .. 'g:' .. group
  local g = redis.call('HMGET', gkey, 'mode', 'tq', 'tu', 'act')
  out[#out + 1] = join('G', group, g[1] or 'count', g[2] or '0', g[3] or '0', g[4] or '')
  local lots = redis.call('HGETALL', gkey .. ':l')
  local rem = {}
  for i = 1, #lots, 2 do
    if string.sub(lots[i], -2) == ':r' then rem[string.sub(lots[i], 1, -3)] = lots[i + 1] end
  end
  for i = 1, #lots, 2 do
    if string.sub(lots[i], -2) ~= ':r' then
      out[#out + 1] = join('L', group, lots[i], rem[lots[i]] or '0', lots[i + 1])
    end
  end
  local qps = redis.call('HGETALL', gkey .. ':q')
  for i = 1, #qps, 2 do
    out[#out + 1] = join('Q', group, qps[i], qps[i + 1])
  end
end
local keys = redis.call('HGETALL', KI)
for i = 1, #keys, 2 do
  out[#out + 1] = join('K', keys[i], keys[i + 1])
end
return out
