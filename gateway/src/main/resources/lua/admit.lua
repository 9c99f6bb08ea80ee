-- One admission decision (rules 1-8 and 10), atomic and in one round trip.
-- KEYS: 1 tenant hash, 2 key digests, 3 group hash, 4 lots, 5 lot index, 6 QPS purchase index,
--       7 QPS purchases, 8 window list, 9 request record
-- ARGV: 1 key prefix, 2 key digest, 3 group, 4 cost, 5 qps limited (1/0), 6 templates
--       (none/create/delete), 7 count-mode QPS, 8 max QPS, 9 free calls, 10 free validity ms,
--       11 free templates, 12 retention ms
-- Returns {'A', mode, limit, window remaining, reset ms, calls remaining, charged}
--      or {'D', reason, mode, limit, window remaining, retry after ms, calls remaining}.
-- Order: every check reads only; the first write happens after the last check passed, so a
-- denial changes nothing but the day's rejection counter (and a first activation, which is owed).

local prefix, digest, group = ARGV[1], ARGV[2], ARGV[3]
local cost, qps_limited, tpl = num(ARGV[4]), ARGV[5] == '1', ARGV[6]
local T, K, G, LOTS, IDX, QIDX, Q, W, RQ = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local WINDOW_US = 1000000

local function denied(reason, mode, limit, remaining, retry_ms, calls)
  return { 'D', reason, mode, limit, remaining, retry_ms, calls }
end

-- Rule 10: a resent or repeated admit returns the recorded decision and changes nothing; a
-- cancelled id (tombstone, or cancelled after it applied) never charges.
local st = redis.call('HGET', RQ, 'st')
if st then
  if st == 'applied' or st == 'settled' then
    local r = redis.call('HMGET', RQ, 'mode', 'limit', 'wr', 'reset', 'cr', 'charged')
    return { 'A', r[1], num(r[2]), num(r[3]), num(r[4]), num(r[5]), num(r[6]) }
  end
  return denied('CANCELLED', 'count', 0, 0, 0, -1)
end

-- Unknown tenant and unknown or revoked key look the same, and write nothing.
if redis.call('EXISTS', T) == 0 or not redis.call('HGET', K, digest) then
  return denied('INVALID_API_KEY', 'count', 0, 0, 0, -1)
end

local now = now_us()
local now_ms = math.floor(now / 1000)
local day = math.floor(now_ms / 86400000)

local function reject(reason, mode, limit, remaining, retry_ms, calls)
  usage_incr(prefix, group, day, 'rej:' .. string.lower(reason), 1)
  return denied(reason, mode, limit, remaining, retry_ms, calls)
end

if redis.call('HGET', T, 'status') == 'suspended' then
  return reject('TENANT_SUSPENDED', redis.call('HGET', G, 'mode') or 'count', 0, 0, 0, -1)
end

activate(prefix, group, num(ARGV[9]), num(ARGV[10]), num(ARGV[11]), now_ms, now_ms)
local mode = redis.call('HGET', G, 'mode') or 'count'

-- Lots still indexed whose expiry passed: their calls are void (rule 3).
local function expired_lots()
  local out = {}
  local function consider(member)
    local id = string.sub(member, 17)
    local info = lot_info(LOTS, id)
    if info and now_ms >= info.expires then
      out[#out + 1] = { member = member, rem = num(redis.call('HGET', LOTS, id .. ':r')) }
    end
  end
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', IDX, '(0', fmt(now_ms))) do consider(m) end
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', IDX, 0, 0)) do consider(m) end
  return out
end

-- Rule 2 as a read-only plan: free lot first, then by expiry; never an expired lot.
local function plan_charge(need)
  local plan, offset = {}, 0
  while need > 0 do
    local page = redis.call('ZRANGE', IDX, offset, offset + 15)
    if #page == 0 then return nil end
    for _, member in ipairs(page) do
      local id = string.sub(member, 17)
      local info = lot_info(LOTS, id)
      local rem = num(redis.call('HGET', LOTS, id .. ':r'))
      if info and now_ms < info.expires and rem > 0 then
        local take = math.min(rem, need)
        plan[#plan + 1] = { id = id, member = member, take = take, left = rem - take, free = info.source == 'free' }
        need = need - take
        if need == 0 then return plan end
      end
    end
    offset = offset + 16
  end
  return plan
end

-- Rule 5: the sum of purchases active now (only purchases that have not ended are indexed).
local function active_qps()
  local sum = 0
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', QIDX, '(' .. fmt(now_ms), '+inf')) do
    local raw = redis.call('HGET', Q, id)
    if raw then
      local f = split(raw)
      if num(f[2]) <= now_ms then sum = sum + num(f[1]) end
    end
  end
  return sum
end

-- Rule 6: entries are admission times (µs), newest first, at most `limit` of them. Entries that left the
-- window (now - 1 s, now] are dropped from the tail as they age, each once, so the list holds about the window
-- and every look-up is at its ends: O(1) amortised per request, whatever the limit. Dropping aged entries
-- before the checks changes no decision (they count in no window from now on), so it is not a "write" in the
-- sense of rule 8.
local function in_window(limit)
  local cutoff = now - WINDOW_US
  local tail = redis.call('LINDEX', W, -1)
  while tail and num(tail) <= cutoff do
    redis.call('RPOP', W)
    tail = redis.call('LINDEX', W, -1)
  end
  return math.min(redis.call('LLEN', W), limit)
end

local function ceil_ms(us)
  return math.max(0, math.ceil(us / 1000))
end

local limit = 0
if qps_limited then
  if mode == 'qps' then
    limit = math.min(active_qps(), num(ARGV[8]))
  else
    limit = num(ARGV[7])
  end
end
local reported_calls = -1
if mode == 'qps' and qps_limited and limit <= 0 then
  return reject('QPS_NOT_PURCHASED', mode, 0, 0, 0, -1)
end

local expired, usable, plan = {}, 0, {}
if mode == 'count' then
  expired = expired_lots()
  usable = num(redis.call('HGET', G, 'calls'))
  for _, e in ipairs(expired) do usable = usable - e.rem end
  reported_calls = usable
  if cost > 0 then
    plan = (usable >= cost) and plan_charge(cost) or nil
    if not plan then
      return reject('CALLS_EXHAUSTED', mode, limit, 0, 0, math.max(usable, 0))
    end
  end
end

if tpl == 'create' and num(redis.call('HGET', G, 'tu')) >= num(redis.call('HGET', G, 'tq')) then
  return reject('TEMPLATE_QUOTA_EXHAUSTED', mode, limit, 0, 0, reported_calls)
end

local count = 0
if qps_limited then
  count = in_window(limit)
  if count >= limit then
    local oldest = num(redis.call('LINDEX', W, limit - 1))
    local retry = limit > 0 and ceil_ms(oldest + WINDOW_US - now) or 1000
    return reject('QPS_EXCEEDED', mode, limit, 0, math.max(retry, 1), reported_calls)
  end
end

-- Every check passed: apply the charge, the slot and the window together (rule 8).
local charged, charged_free, taken = 0, 0, {}
for _, e in ipairs(expired) do
  redis.call('ZREM', IDX, e.member)
  redis.call('HINCRBY', G, 'calls', -e.rem)
end
for _, p in ipairs(plan) do
  redis.call('HINCRBY', LOTS, p.id .. ':r', -p.take)
  if p.left == 0 then redis.call('ZREM', IDX, p.member) end
  charged = charged + p.take
  if p.free then charged_free = charged_free + p.take end
  taken[#taken + 1] = p.id .. ':' .. fmt(p.take)
end
if charged > 0 then
  redis.call('HINCRBY', G, 'calls', -charged)
  reported_calls = usable - charged
end
if tpl == 'create' then redis.call('HINCRBY', G, 'tu', 1) end

local remaining, reset_ms = 0, 0
if qps_limited then
  local oldest = count > 0 and num(redis.call('LINDEX', W, count - 1)) or now
  redis.call('LPUSH', W, fmt(now))
  redis.call('LTRIM', W, 0, limit - 1)
  redis.call('PEXPIRE', W, 2000)
  remaining = limit - count - 1
  reset_ms = ceil_ms(oldest + WINDOW_US - now)
end

-- The record lets a resent script return the first result, and settle/cancel undo exactly what was taken. An
-- admit that took nothing (QPS mode, a free route) has nothing to undo or to take twice: no record, so
-- uncharged traffic costs Redis no memory per request.
if charged > 0 or tpl ~= 'none' then
  redis.call('HSET', RQ, 'st', 'applied', 'grp', group, 'day', fmt(day), 'tpl', tpl,
    'taken', table.concat(taken, ','), 'mode', mode, 'limit', fmt(limit), 'wr', fmt(remaining),
    'reset', fmt(reset_ms), 'cr', fmt(reported_calls), 'charged', fmt(charged))
  redis.call('PEXPIRE', RQ, math.max(1, num(ARGV[12])))
end
local U = usage_key(prefix, group, day)
redis.call('HINCRBY', U, 'admitted', 1)
if charged > 0 then redis.call('HINCRBY', U, 'charged', charged) end
if charged_free > 0 then redis.call('HINCRBY', U, 'charged_free', charged_free) end
redis.call('EXPIRE', U, USAGE_TTL_S)
return { 'A', mode, limit, remaining, reset_ms, reported_calls, charged }
