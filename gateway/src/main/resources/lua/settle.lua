-- Settles or cancels one admitted request (rules 7, 9, 10). At most one of them ever applies:
-- the record moves from 'applied' to 'settled' or 'cancelled' exactly once.
-- KEYS: 1 tenant hash, 2 the request's record bucket (hash: request id -> record), 3 the request's
--       record key of versions before buckets (a string; read only if the bucket has none)
-- ARGV: 1 key prefix, 2 op (settle/cancel), 3 refund (1/0), 4 upstream 2xx (1/0), 5 tombstone ttl ms,
--       6 request id
-- Returns {'settled'}, {'cancelled'}, {'tombstone'} or {'noop'}.

local prefix, op = ARGV[1], ARGV[2]
local refund, ok2xx = ARGV[3] == '1', ARGV[4] == '1'
local T, B, LEGACY, id = KEYS[1], KEYS[2], KEYS[3], ARGV[6]
local tomb_ttl = num(ARGV[5])

-- The record (admit.lua) is one string: state, then SEP and mode, limit, window remaining, reset,
-- calls remaining, charged, group, day, templates, taken[, charged free]. Only its state ever changes.
local legacy = false
local rec = redis.call('HGET', B, id)
if not rec then
  rec = redis.call('GET', LEGACY)
  legacy = rec ~= nil and rec ~= false
end

-- Writes the record back. keep_ms: how long it must live at least from now (a cancelled id must
-- outlive any resend of its admit); nil keeps the TTL as it is.
local function save(value, keep_ms)
  if legacy then
    if keep_ms then
      redis.call('SET', LEGACY, value, 'PX', math.max(redis.call('PTTL', LEGACY), keep_ms))
    else
      redis.call('SET', LEGACY, value, 'KEEPTTL')
    end
    return
  end
  redis.call('HSET', B, id, value)
  if keep_ms and redis.call('PTTL', B) < keep_ms then redis.call('PEXPIRE', B, keep_ms) end
end

if not rec then
  -- Cancel before the admit arrived (a resent script still in flight): the tombstone makes that
  -- admit deny. Never create keys for a tenant that does not exist.
  if op == 'cancel' and redis.call('EXISTS', T) == 1 then
    save('tomb', tomb_ttl)
    return { 'tombstone' }
  end
  return { 'noop' }
end
local st, rest = string.match(rec, '^(%a+)(.*)$')
if st ~= 'applied' then return { 'noop' } end

-- (records written since the free-lot share was added carry it as a twelfth field; it is not needed here)
local group, day, tpl, taken = string.match(rest,
  '^\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)')
day = num(day)
local gkey = prefix .. 'g:' .. group
local now_ms = math.floor(now_us() / 1000)

-- Rule 9: every lot gets back what was taken from it, unless it expired meanwhile.
local function refund_all()
  local back = 0
  for lot, n in string.gmatch(taken, '([^,:]+):(%d+)') do
    back = back + refund_lot(gkey, lot, tonumber(n), now_ms)
  end
  usage_incr(prefix, group, day, 'refunded', back)
  if back > 0 then changed(prefix) end
end

-- Rule 7: a slot taken by a create that did not succeed, or freed by a delete that did.
local function release_slot()
  if num(redis.call('HGET', gkey, 'tu')) > 0 then redis.call('HINCRBY', gkey, 'tu', -1) end
end

if op == 'cancel' then
  refund_all()
  if tpl == 'create' then release_slot() end
  save('cancelled' .. rest, tomb_ttl)
  return { 'cancelled' }
end

if refund then refund_all() end
if tpl == 'create' and not ok2xx then release_slot() end
if tpl == 'delete' and ok2xx then release_slot() end
save('settled' .. rest, nil)
return { 'settled' }
