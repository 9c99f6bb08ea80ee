-- Settles or cancels one admitted request (rules 7, 9, 10). At most one of them ever applies:
-- the record moves from 'applied' to 'settled' or 'cancelled' exactly once.
-- KEYS: 1 tenant hash, 2 request record
-- ARGV: 1 key prefix, 2 op (settle/cancel), 3 refund (1/0), 4 upstream 2xx (1/0), 5 tombstone ttl ms
-- Returns {'settled'}, {'cancelled'}, {'tombstone'} or {'noop'}.

local prefix, op = ARGV[1], ARGV[2]
local refund, ok2xx = ARGV[3] == '1', ARGV[4] == '1'
local T, RQ = KEYS[1], KEYS[2]

-- The record (admit.lua) is one string: state, then SEP and mode, limit, window remaining, reset,
-- calls remaining, charged, group, day, templates, taken. Only its state ever changes, its TTL kept.
local rec = redis.call('GET', RQ)
if not rec then
  -- Cancel before the admit arrived (a resent script still in flight): the tombstone makes that
  -- admit deny. Never create keys for a tenant that does not exist.
  if op == 'cancel' and redis.call('EXISTS', T) == 1 then
    redis.call('SET', RQ, 'tomb', 'PX', num(ARGV[5]))
    return { 'tombstone' }
  end
  return { 'noop' }
end
local st, rest = string.match(rec, '^(%a+)(.*)$')
if st ~= 'applied' then return { 'noop' } end

local group, day, tpl, taken = string.match(rest,
  '^\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)$')
day = num(day)
local gkey = prefix .. 'g:' .. group
local now_ms = math.floor(now_us() / 1000)

local function refund_all()
  local back = 0
  for id, n in string.gmatch(taken, '([^,:]+):(%d+)') do
    back = back + refund_lot(gkey, id, tonumber(n), now_ms)
  end
  usage_incr(prefix, group, day, 'refunded', back)
  if back > 0 then changed(prefix) end
end

local function release_slot()
  if num(redis.call('HGET', gkey, 'tu')) > 0 then redis.call('HINCRBY', gkey, 'tu', -1) end
end

if op == 'cancel' then
  refund_all()
  if tpl == 'create' then release_slot() end
  -- The cancelled id must outlive any resend of its admit, like a tombstone.
  redis.call('SET', RQ, 'cancelled' .. rest, 'PX', math.max(redis.call('PTTL', RQ), num(ARGV[5])))
  return { 'cancelled' }
end

if refund then refund_all() end
if tpl == 'create' and not ok2xx then release_slot() end
if tpl == 'delete' and ok2xx then release_slot() end
redis.call('SET', RQ, 'settled' .. rest, 'KEEPTTL')
return { 'settled' }
