-- Settles or cancels one admitted request (rules 7, 9, 10). At most one of them ever applies:
-- the request moves from applied to settled or cancelled exactly once.
-- KEYS: 1 tenant hash, 2 the request's own record bucket (records of versions before batch
--       records), 3 its record key of versions before buckets (a string), 4 the bucket of its
--       batch's record (the receipt's bucket)
-- ARGV: 1 key prefix, 2 op (settle/cancel), 3 refund (1/0), 4 upstream 2xx (1/0), 5 tombstone ttl ms,
--       6 request id, 7 receipt (the first request id of the admit call that carried it)
-- Returns {'settled'}, {'cancelled'}, {'tombstone'} or {'noop'}.

local prefix, op = ARGV[1], ARGV[2]
local refund, ok2xx = ARGV[3] == '1', ARGV[4] == '1'
local T, B, LEGACY, BB, id, receipt = KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[6], ARGV[7]
local tomb_ttl = num(ARGV[5])
local MARK_FIELD = receipt .. '!'

-- What the admission took. admit.lua writes one record per batch: cmsgpack of the format (2), the
-- request ids, the answers (runs of 11 values, the first the run's length and the second its code),
-- what each took (runs of 3: length, lot or the whole "lot:n,..." text, calls or ''), template
-- uses, group and day, in field <receipt># (the version before runs: the request ids, 8 answer
-- values and the text taken per request, template uses, group and day); what
-- settle and cancel did is noted in field <receipt>! as ";<id>=<mark>" (t: cancelled before the
-- batch applied, c: cancelled after, s: settled). Versions before batch records wrote one string
-- per request in its own bucket field (or, before buckets, its own key): state, then SEP and mode,
-- limit, window remaining, reset, calls remaining, charged, group, day, templates, taken[, free].
local found = redis.call('HMGET', BB, receipt .. '#', MARK_FIELD)
local batch, marks = found[1], found[2]
if marks and string.find(marks, ';' .. id .. '=', 1, true) then return { 'noop' } end
local group, day, tpl, taken
local old, legacy, rest = nil, false, nil
-- The value of request j (from 1) in runs of the given width whose first value is the run's length.
local function in_runs(runs, width, j, at)
  for b = 0, #runs - 1, width do
    if j <= runs[b + 1] then return runs[b + at] end
    j = j - runs[b + 1]
  end
end

if batch then
  local format, ids, answers, takes, tpls, g, d = cmsgpack.unpack(batch)
  if type(format) ~= 'number' then
    ids, answers, takes, tpls, g, d = cmsgpack.unpack(batch)
  end
  for j = 1, #ids do
    if ids[j] == id then
      if type(format) ~= 'number' then
        if answers[(j - 1) * 8 + 1] == 'A' then
          group, day, tpl, taken = g, d, tpls[j] or 'none', takes[j] or ''
        end
      elseif in_runs(answers, 11, j, 2) == 'A' then
        local lot, calls = in_runs(takes, 3, j, 2), in_runs(takes, 3, j, 3)
        group, day, tpl = g, d, tpls[j] or 'none'
        taken = (calls == '' or lot == '') and lot or (lot .. ':' .. calls)
      end
      break
    end
  end
else
  old = redis.call('HGET', B, id)
  if not old then
    old = redis.call('GET', LEGACY)
    legacy = old ~= nil and old ~= false
  end
  if old then
    local st
    st, rest = string.match(old, '^(%a+)(.*)$')
    if st ~= 'applied' then return { 'noop' } end
    group, day, tpl, taken = string.match(rest,
      '^\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)')
  end
end

-- Notes the request's new state (t, c or s). keep_ms: how long it must live at least from now (a
-- cancelled id must outlive any resend of its admit); nil keeps the TTL as it is (a settled mark
-- lives as long as the record it sits beside: refunds are common, and a bucket kept 24 h for each
-- would hold every record in it that long).
local function save(mark, keep_ms)
  local state = ({ t = 'tomb', c = 'cancelled', s = 'settled' })[mark]
  if legacy then
    if keep_ms then
      redis.call('SET', LEGACY, state .. rest, 'PX', math.max(redis.call('PTTL', LEGACY), keep_ms))
    else
      redis.call('SET', LEGACY, state .. rest, 'KEEPTTL')
    end
    return
  end
  local key = BB
  if old then
    key = B
    redis.call('HSET', B, id, state .. rest)
  else
    redis.call('HSET', BB, MARK_FIELD, (marks or '') .. ';' .. id .. '=' .. mark)
  end
  if keep_ms and redis.call('PTTL', key) < keep_ms then redis.call('PEXPIRE', key, keep_ms) end
end

if not group then
  -- Cancel before the admit arrived (a resent script still in flight): the mark makes that admit
  -- deny. Never create keys for a tenant that does not exist.
  if op == 'cancel' and redis.call('EXISTS', T) == 1 then
    old, legacy = nil, false
    save('t', tomb_ttl)
    return { 'tombstone' }
  end
  return { 'noop' }
end
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
  save('c', tomb_ttl)
  return { 'cancelled' }
end

if refund then refund_all() end
if tpl == 'create' and not ok2xx then release_slot() end
if tpl == 'delete' and ok2xx then release_slot() end
save('s', nil)
return { 'settled' }
