--! common: lazy
-- One admission decision (rules 1-8 and 10), atomic and in one round trip.
-- KEYS: 1 tenant hash, 2 key digests, 3 group hash, 4 lots, 5 lot index, 6 QPS purchase index,
--       7 QPS purchases, 8 window list, 9 request record
-- ARGV: 1 key prefix, 2 key digest, 3 group, 4 cost, 5 qps limited (1/0), 6 templates
--       (none/create/delete), 7 count-mode QPS, 8 max QPS, 9 free calls, 10 free validity ms,
--       11 free templates, 12 retention ms (>= 1)
-- Returns {'A', mode, limit, window remaining, reset ms, calls remaining, charged}
--      or {'D', reason, mode, limit, window remaining, retry after ms, calls remaining}.
-- Order: every check reads only; the first write happens after the last check passed, so a
-- denial changes nothing but the day's rejection counter (and a first activation, which is owed).
--
-- Cost. This runs once per request, and most of its time is the script around the commands, so
-- the hot path is written for that (measured with RedisAdmitCostBenchmark and callgrind):
-- - few redis.call()s, and few reply elements (each becomes a Lua value: an HMGET field costs
--   about as much as a small command): the group in one HMGET, the first lot with its score
--   (a paid lot's score is its expiry), then only its remaining calls;
-- - few number<->string conversions (Redis formats a number argument with snprintf("%.17g"),
--   Lua parses a numeric string with strtod, string.format and string.match are slow): string
--   arguments where one is at hand (the cost as it came, literals, the TIME reply), times
--   compared as strings of equal length;
-- - four closures per call, no more (the first line above makes RedisScripts wrap common.lua in
--   one function, common(), that only rare paths call; rare paths are inline branches).

local prefix, digest, group = ARGV[1], ARGV[2], ARGV[3]
local cost_s, qps_limited, tpl = ARGV[4], ARGV[5] == '1', ARGV[6]
local cost = tonumber(cost_s) or 0
local T, K, G, LOTS, IDX, W, RQ = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[8], KEYS[9]
local USAGE_TTL = '34560000'  -- 400 days, USAGE_TTL_S of common.lua

-- a < b for times in ms as decimal strings: as strings when both have 13 digits (2001-2286),
-- else as numbers.
local function before(a, b)
  if #a == 13 and #b == 13 then return a < b end
  return tonumber(a) < tonumber(b)
end

-- Rule 10: a resent or repeated admit returns the recorded decision and changes nothing; a
-- cancelled id (tombstone, or cancelled after it applied) never charges. The record is one
-- string: state, then SEP and mode, limit, window remaining, reset, calls remaining, charged,
-- group, day, templates, taken (settle.lua reads it too).
local rec = redis.call('GET', RQ)
if rec then
  local st, m, l, wr, rs, cr, ch = string.match(rec,
    '^(%a+)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)')
  if st == 'applied' or st == 'settled' then
    return { 'A', m, tonumber(l), tonumber(wr), tonumber(rs), tonumber(cr), tonumber(ch) }
  end
  return { 'D', 'CANCELLED', 'count', 0, 0, 0, -1 }
end

-- Unknown tenant and unknown or revoked key look the same, and write nothing. Every tenant hash
-- has a status (create_tenant.lua), so one HGET stands for EXISTS and the status.
local status = redis.call('HGET', T, 'status')
if not status or redis.call('HEXISTS', K, digest) == 0 then
  return { 'D', 'INVALID_API_KEY', 'count', 0, 0, 0, -1 }
end

-- Server time: the µs and ms as strings are cut from the reply, not formatted.
local t = redis.call('TIME')
local usec = string.sub('00000' .. t[2], -6)
local now_s = t[1] .. usec
local now_ms_s = t[1] .. string.sub(usec, 1, 3)
local now = tonumber(now_s)
local now_ms = math.floor(now / 1000)
local day = string.format('%d', math.floor(now_ms / 86400000))
local U = prefix .. 'u:' .. group .. ':' .. day

-- A denial counts itself in the day's usage. Counters only grow, so a usage key is created by the
-- first increment of one of its fields: EXPIRE then, not on every increment.
local function reject(reason, mode, limit, remaining, retry_ms, calls)
  if redis.call('HINCRBY', U, 'rej:' .. string.lower(reason), '1') == 1 then
    redis.call('EXPIRE', U, USAGE_TTL)
  end
  return { 'D', reason, mode, limit, remaining, retry_ms, calls }
end

-- Group fields read here: nx (no indexed lot expires before nx ms; written only by this script,
-- after activation), mode, calls (usable total), wx (the window's expiry is refreshed after wx
-- ms), tu/tq (templates).
local function read_group()
  if tpl == 'create' then return redis.call('HMGET', G, 'nx', 'mode', 'calls', 'wx', 'tu', 'tq') end
  return redis.call('HMGET', G, 'nx', 'mode', 'calls', 'wx')
end
local g = read_group()
if status == 'suspended' then
  return reject('TENANT_SUSPENDED', g[2] or 'count', 0, 0, 0, -1)
end
local nx = g[1]
if not nx then
  -- Maybe the group's first admit (a group added to the config later): activation checks the act
  -- marker itself and happens at most once (rule 1).
  common().activate(prefix, group, tonumber(ARGV[9]) or 0, tonumber(ARGV[10]) or 0,
    tonumber(ARGV[11]) or 0, now_ms, now_ms)
  g = read_group()
end
local mode = g[2] or 'count'

local limit, limit_s = 0, '0'
if qps_limited then
  if mode == 'qps' then
    -- Rule 5: the sum of purchases active now (only purchases that have not ended are indexed).
    local sum = 0
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[6], '(' .. now_ms_s, '+inf')) do
      local raw = redis.call('HGET', KEYS[7], id)
      if raw then
        local qps, starts = string.match(raw, '^([^\31]*)\31([^\31]*)')
        if (tonumber(starts) or 0) <= now_ms then sum = sum + (tonumber(qps) or 0) end
      end
    end
    limit = math.min(sum, tonumber(ARGV[8]) or 0)
    if limit <= 0 then
      return reject('QPS_NOT_PURCHASED', mode, 0, 0, 0, -1)
    end
    limit_s = string.format('%d', limit)
  else
    limit, limit_s = tonumber(ARGV[7]) or 0, ARGV[7]
  end
end

local reported_calls = -1
local expired, usable, plan, nplan = nil, 0, nil, 0
if mode == 'count' then
  usable = tonumber(g[3]) or 0
  -- Lots still indexed whose expiry passed: their calls are void (rule 3). Looked for only once
  -- the earliest expiry among indexed lots has come (nx: set below, lowered by every ZADD into
  -- the index in common.lua; absent: unknown).
  if not nx or not before(now_ms_s, nx) then
    expired = {}
    local found = redis.call('ZRANGEBYSCORE', IDX, '(0', now_ms_s)
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', IDX, '0', '0')) do found[#found + 1] = m end
    for _, m in ipairs(found) do
      local id = string.sub(m, 17)
      local info = common().lot_info(LOTS, id)
      if info and now_ms >= info.expires then
        local rem = tonumber(redis.call('HGET', LOTS, id .. ':r')) or 0
        expired[#expired + 1] = m
        expired[m] = rem
        usable = usable - rem
      end
    end
  end
  reported_calls = usable
  if cost > 0 then
    -- Rule 2 as a read-only plan: free lot (score 0) first, then by expiry; never an expired lot.
    -- The first page is one lot, which covers most charges; then 8 at a time.
    local need = cost
    if usable >= cost then
      plan = {}
      local offset = 0
      while need > 0 do
        local page
        if offset == 0 then
          page = redis.call('ZRANGE', IDX, '0', '0', 'WITHSCORES')
        else
          page = redis.call('ZRANGE', IDX, offset, offset + 7, 'WITHSCORES')
        end
        if #page == 0 then break end
        for i = 1, #page, 2 do
          local m, expires, rem, free = page[i], page[i + 1], nil, false
          local id = string.sub(m, 17)
          if expires == '0' then
            local info = common().lot_info(LOTS, id)
            expires, free = info and string.format('%d', info.expires), true
            rem = redis.call('HGET', LOTS, id .. ':r')
          else
            rem = redis.call('HGET', LOTS, id .. ':r')
          end
          rem = tonumber(rem) or 0
          if expires and rem > 0 and before(now_ms_s, expires) then
            local take = math.min(rem, need)
            nplan = nplan + 1
            plan[nplan] = { id, m, take, rem - take, free }
            need = need - take
            if need == 0 then break end
          end
        end
        offset = offset == 0 and 1 or offset + 8
      end
    end
    if need > 0 then
      return reject('CALLS_EXHAUSTED', mode, limit, 0, 0, math.max(usable, 0))
    end
  end
end

if tpl == 'create' and (tonumber(g[5]) or 0) >= (tonumber(g[6]) or 0) then
  return reject('TEMPLATE_QUOTA_EXHAUSTED', mode, limit, 0, 0, reported_calls)
end

-- Rule 6: entries are admission times (µs), newest first. Entries that left the window
-- (now - 1 s, now] are dropped from the tail (looking at two at a time), so what remains is in
-- the window and every look-up is at the list's ends: O(1) amortised per request, whatever the
-- limit. Dropping aged entries before the checks changes no decision (they count in no window
-- from now on), so it is not a "write" in the sense of rule 8.
local count, oldest, len = 0, now, 0
if qps_limited then
  local cutoff = now - 1000000
  while true do
    local tail = redis.call('LRANGE', W, '-2', '-1')
    local n = #tail
    if n == 0 then break end
    local last = tonumber(tail[n])
    if last > cutoff then
      oldest, len = last, redis.call('LLEN', W)
      break
    end
    local prev = n == 2 and tonumber(tail[1])
    if prev and prev > cutoff then
      redis.call('LTRIM', W, '0', '-2')
      oldest, len = prev, redis.call('LLEN', W)
      break
    end
    redis.call('LTRIM', W, '0', n == 2 and '-3' or '-2')
  end
  count = math.min(len, limit)
  if count >= limit then
    local retry = 1000
    if limit > 0 then
      -- The limit-th newest entry leaves the window first; it is the tail unless the limit was lowered.
      if len > limit then oldest = tonumber(redis.call('LINDEX', W, limit - 1)) end
      retry = math.max(0, math.ceil((oldest + 1000000 - now) / 1000))
    end
    return reject('QPS_EXCEEDED', mode, limit, 0, math.max(retry, 1), reported_calls)
  end
end

-- Every check passed: apply the charge, the slot and the window together (rule 8).
local charged, charged_free, taken = 0, 0, ''
if expired then
  for _, m in ipairs(expired) do
    redis.call('ZREM', IDX, m)
    redis.call('HINCRBY', G, 'calls', -expired[m])
  end
end
-- A plan covers the cost exactly: a lot that takes all of it is charged the cost as it came.
for i = 1, nplan do
  local p = plan[i]
  local take = p[3] == cost and cost_s or string.format('%d', p[3])
  redis.call('HINCRBY', LOTS, p[1] .. ':r', '-' .. take)
  if p[4] == 0 then redis.call('ZREM', IDX, p[2]) end
  charged = charged + p[3]
  if p[5] then charged_free = charged_free + p[3] end
  taken = (i == 1) and (p[1] .. ':' .. take) or (taken .. ',' .. p[1] .. ':' .. take)
end
if charged > 0 then
  redis.call('HINCRBY', G, 'calls', '-' .. cost_s)
  reported_calls = usable - charged
end
if expired or not nx then
  -- nx = the earliest expiry among the lots still indexed: paid lots are scored by expiry, the
  -- free lot by 0. None: 9999999999999 (the year 2286).
  local next_exp = '9999999999999'
  local first = redis.call('ZRANGEBYSCORE', IDX, '(0', '+inf', 'WITHSCORES', 'LIMIT', '0', '1')
  if first[2] then next_exp = first[2] end
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', IDX, '0', '0')) do
    local info = common().lot_info(LOTS, string.sub(m, 17))
    if info and info.expires < tonumber(next_exp) then next_exp = string.format('%d', info.expires) end
  end
  redis.call('HSET', G, 'nx', next_exp)
end
if tpl == 'create' then redis.call('HINCRBY', G, 'tu', '1') end

local remaining, reset_ms = 0, 0
if qps_limited then
  redis.call('LPUSH', W, now_s)
  -- No LTRIM: an admission means count < limit, so len < limit before this push. The list must
  -- outlive its newest entry by 1 s. Its expiry is set to now + 3 s when wx (then now + 900 ms)
  -- has passed, not on every push. Older scripts, which PEXPIRE 2000 after each push, never cut
  -- it short either: their pushes after our last refresh r set at least r + 2000, and we pushed
  -- at most 900 ms after r.
  local wx = g[4]
  if not wx or before(wx, now_ms_s) then
    redis.call('PEXPIREAT', W, string.format('%d', now_ms + 3000))
    redis.call('HSET', G, 'wx', string.format('%d', now_ms + 900))
  end
  remaining = limit - count - 1
  reset_ms = math.max(0, math.ceil((oldest + 1000000 - now) / 1000))
end

-- The record lets a resent script return the first result, and settle/cancel undo exactly what was taken. An
-- admit that took nothing (QPS mode, a free route) has nothing to undo or to take twice: no record, so
-- uncharged traffic costs Redis no memory per request.
if charged > 0 or tpl ~= 'none' then
  redis.call('SET', RQ, 'applied\31' .. mode .. '\31' .. limit_s .. '\31'
    .. string.format('%d\31%d\31%d', remaining, reset_ms, reported_calls) .. '\31'
    .. (charged > 0 and cost_s or '0') .. '\31' .. group .. '\31' .. day .. '\31' .. tpl .. '\31' .. taken,
    'PX', ARGV[12])
end
-- charged is 0 or the cost.
if redis.call('HINCRBY', U, 'admitted', '1') == 1 then redis.call('EXPIRE', U, USAGE_TTL) end
if charged > 0 and redis.call('HINCRBY', U, 'charged', cost_s) == charged then redis.call('EXPIRE', U, USAGE_TTL) end
if charged_free > 0 and redis.call('HINCRBY', U, 'charged_free', string.format('%d', charged_free)) == charged_free then
  redis.call('EXPIRE', U, USAGE_TTL)
end
return { 'A', mode, limit, remaining, reset_ms, reported_calls, charged }
