-- Creates a tenant with its first key and activates its groups (rule 1), or replays a repeated
-- identical create. KEYS: 1 tenant hash, 2 key digests, 3 key records
-- ARGV: 1 prefix, 2 tenant id, 3 name, 4 fingerprint, 5 created ms, 6 key id, 7 key digest,
--       8 group count, then per group: name, free calls, free validity ms, free templates
-- Returns {'created'}, {'replay'} (same fingerprint: the first create applied) or {'conflict'}.

local prefix = ARGV[1]
local T, K, KI = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', T) == 1 then
  if redis.call('HGET', T, 'fp') == ARGV[4] then return { 'replay' } end
  return { 'conflict' }
end
local created = num(ARGV[5])
redis.call('HSET', T, 'id', ARGV[2], 'name', ARGV[3], 'status', 'active', 'created', fmt(created), 'fp', ARGV[4], 'seq', 0)
redis.call('HSET', K, ARGV[7], ARGV[6])
redis.call('HSET', KI, ARGV[6], join(ARGV[7], fmt(created), ''))
ledger(prefix, created, 'tenant_created', '', '', ARGV[3], '', '')
ledger(prefix, created, 'key_created', '', '', ARGV[6], '', '')
local n = num(ARGV[8])
for i = 0, n - 1 do
  local base = 9 + i * 4
  activate(prefix, ARGV[base], num(ARGV[base + 1]), num(ARGV[base + 2]), num(ARGV[base + 3]), created, created)
end
return { 'created' }
