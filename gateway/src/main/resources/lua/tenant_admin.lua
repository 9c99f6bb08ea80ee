-- Small tenant changes that move no balance: status, billing mode, keys. Each is one atomic step,
-- recorded in the ledger when it changed something.
-- KEYS: 1 tenant hash, 2 key digests, 3 key records
-- ARGV: 1 prefix, 2 op, then per op:
--   status   3 active|suspended
--   mode     3 group, 4 count|qps
--   add_key  3 key id, 4 digest (created at server time)
--   revoke   3 key id
-- Returns {'OK', ...} or {'NOT_FOUND'|'CONFLICT', message}.

local prefix, op = ARGV[1], ARGV[2]
local T, K, KI = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', T) == 0 then return { 'NOT_FOUND', 'no such tenant' } end
local now_ms = math.floor(now_us() / 1000)

if op == 'status' then
  if redis.call('HGET', T, 'status') ~= ARGV[3] then
    redis.call('HSET', T, 'status', ARGV[3])
    changed(prefix)
    ledger(prefix, now_ms, ARGV[3] == 'suspended' and 'suspended' or 'resumed', '', '', '', '', '')
  end
  return { 'OK' }
end

if op == 'mode' then
  local gkey = touch_group(prefix, ARGV[3])
  if redis.call('HGET', gkey, 'mode') ~= ARGV[4] then
    redis.call('HSET', gkey, 'mode', ARGV[4])
    changed(prefix)
    ledger(prefix, now_ms, 'mode_set', ARGV[3], '', ARGV[4], '', '')
  end
  return { 'OK' }
end

if op == 'add_key' then
  local existing = redis.call('HGET', KI, ARGV[3])
  if existing then
    -- The same key added again is a replay; another key under this id is a conflict.
    if split(existing)[1] == ARGV[4] then return { 'OK', existing } end
    return { 'CONFLICT', 'key id ' .. ARGV[3] .. ' exists' }
  end
  if redis.call('HEXISTS', K, ARGV[4]) == 1 then return { 'CONFLICT', 'key exists' } end
  local rec = join(ARGV[4], fmt(now_ms), '')
  redis.call('HSET', KI, ARGV[3], rec)
  redis.call('HSET', K, ARGV[4], ARGV[3])
  ledger(prefix, now_ms, 'key_created', '', '', ARGV[3], '', '')
  return { 'OK', rec }
end

if op == 'revoke' then
  local existing = redis.call('HGET', KI, ARGV[3])
  if not existing then return { 'NOT_FOUND', 'no such key' } end
  local f = split(existing)
  if f[3] ~= '' then return { 'OK', existing } end
  local rec = join(f[1], f[2], fmt(now_ms))
  redis.call('HSET', KI, ARGV[3], rec)
  -- Admission reads only the digest hash: deleting the digest stops the key on every replica now.
  redis.call('HDEL', K, f[1])
  changed(prefix)
  ledger(prefix, now_ms, 'key_revoked', '', '', ARGV[3], '', '')
  return { 'OK', rec }
end
return redis.error_reply('unknown op ' .. tostring(op))
