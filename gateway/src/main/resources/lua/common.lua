-- Shared helpers, prepended to every Quotagate script by RedisScripts (Lua has no include).
-- Conventions: times are integers (ms, or µs for the QPS window) formatted with %.0f because
-- tostring() of a Lua number above 1e14 prints an exponent and would lose digits.
-- Every per-tenant key starts with the prefix qg:{tenant}: so one script touches one hash slot.

local SEP = '\31'

local function fmt(n)
  return string.format('%.0f', n)
end

local function num(v)
  return tonumber(v) or 0
end

-- Redis server time in microseconds (the single clock of every replica).
local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function split(s)
  local out = {}
  for field in string.gmatch(s .. SEP, '(.-)' .. SEP) do
    out[#out + 1] = field
  end
  return out
end

local function join(...)
  return table.concat({ ... }, SEP)
end

local USAGE_TTL_S = 400 * 86400

-- Something that can turn a denial into an admission changed for this tenant (calls granted or
-- refunded, QPS bought, mode, status or keys changed): every replica drops the denials it knows
-- for the tenant (KnownDenials). The message is the tenant's key prefix.
local CHANGED_CHANNEL = 'qg:changed'
local function changed(prefix)
  redis.call('PUBLISH', CHANGED_CHANNEL, prefix)
end

local function usage_key(prefix, group, day)
  return prefix .. 'u:' .. group .. ':' .. fmt(day)
end

-- Counters only grow, so a key is created by the first increment of one of its fields: EXPIRE
-- then, not on every increment (admit.lua does the same inline).
local function usage_incr(prefix, group, day, field, n)
  if n <= 0 then return end
  local key = usage_key(prefix, group, day)
  if redis.call('HINCRBY', key, field, n) == n then
    redis.call('EXPIRE', key, USAGE_TTL_S)
  end
end

local function ledger(prefix, at_ms, kind, group, order, detail, price, currency)
  redis.call('RPUSH', prefix .. 'ledger',
    join(fmt(at_ms), kind, group or '', order or '', detail or '', price or '', currency or ''))
end

-- Lot storage: hash <group>:l with field <id> = source|calls|granted|expires|order and
-- field <id>:r = remaining. The index <group>:i holds only lots that still have calls, in use
-- order: the free lot (score 0) first, then paid lots by expiry (score), ties by grant time then
-- id (the member starts with the zero-padded grant time, and ids have a fixed width).
-- The group hash's nx is a lower bound of the expiries of indexed lots (admit.lua looks for
-- expired lots only once now >= nx, then sets it exactly): every ZADD into the index lowers it.
local function lower_nx(gkey, expires)
  local nx = tonumber(redis.call('HGET', gkey, 'nx'))
  if nx and expires < nx then redis.call('HSET', gkey, 'nx', fmt(expires)) end
end
local function lot_member(granted, id)
  return string.format('%015.0f', granted) .. ':' .. id
end

local function lot_score(source, expires)
  if source == 'free' then return 0 end
  return expires
end

local function lot_info(lots, id)
  local raw = redis.call('HGET', lots, id)
  if not raw then return nil end
  local f = split(raw)
  return { id = id, source = f[1], calls = num(f[2]), granted = num(f[3]), expires = num(f[4]), order = f[5] }
end

-- Adds a lot; it enters the index only when it has calls and has not expired.
local function add_lot(tkey, gkey, lots, idx, source, calls, granted, expires, order, now_ms)
  local id = string.format('L%09d', redis.call('HINCRBY', tkey, 'seq', 1))
  redis.call('HSET', lots, id, join(source, fmt(calls), fmt(granted), fmt(expires), order or ''))
  redis.call('HSET', lots, id .. ':r', calls)
  if calls > 0 and now_ms < expires then
    redis.call('ZADD', idx, lot_score(source, expires), lot_member(granted, id))
    lower_nx(gkey, expires)
    redis.call('HINCRBY', gkey, 'calls', calls)
  end
  return id
end

-- Rule 1: a group is activated at most once per tenant; the act marker never goes away.
local function activate(prefix, group, free_calls, free_validity_ms, free_templates, now_ms, at_ms)
  local tkey = prefix .. 't'
  local gkey = prefix .. 'g:' .. group
  if redis.call('HEXISTS', gkey, 'act') == 1 then return false end
  redis.call('HSET', gkey, 'act', fmt(now_ms))
  redis.call('HSETNX', gkey, 'mode', 'count')
  redis.call('HINCRBY', gkey, 'tq', free_templates)
  redis.call('HINCRBY', gkey, 'tu', 0)
  redis.call('HINCRBY', gkey, 'calls', 0)
  redis.call('SADD', prefix .. 'groups', group)
  if free_calls > 0 then
    add_lot(tkey, gkey, gkey .. ':l', gkey .. ':i', 'free', free_calls, now_ms, now_ms + free_validity_ms, '', now_ms)
  end
  ledger(prefix, at_ms, 'group_activated', group, '',
    'free_calls=' .. fmt(free_calls) .. ' free_templates=' .. fmt(free_templates), '', '')
  return true
end

-- Ensures the group hash exists for operations on a group that was never activated (a group
-- added to the config later: its activation still happens at the first admit).
local function touch_group(prefix, group)
  local gkey = prefix .. 'g:' .. group
  redis.call('HSETNX', gkey, 'mode', 'count')
  redis.call('HSETNX', gkey, 'tq', 0)
  redis.call('HSETNX', gkey, 'tu', 0)
  redis.call('HSETNX', gkey, 'calls', 0)
  redis.call('SADD', prefix .. 'groups', group)
  return gkey
end

-- Gives back n calls to a lot unless it expired meanwhile (then they are void). Returns n or 0.
local function refund_lot(gkey, id, n, now_ms)
  local lots = gkey .. ':l'
  local info = lot_info(lots, id)
  if not info or now_ms >= info.expires then return 0 end
  redis.call('HINCRBY', lots, id .. ':r', n)
  redis.call('HINCRBY', gkey, 'calls', n)
  -- ZADD with the same score and member is a no-op when the lot is still indexed.
  if redis.call('ZADD', gkey .. ':i', lot_score(info.source, info.expires), lot_member(info.granted, id)) == 1 then
    lower_nx(gkey, info.expires)
  end
  return n
end
