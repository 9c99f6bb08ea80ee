--! common: lazy
-- Admission of a batch: N requests of one tenant and one group, decided in list order at one
-- instant, atomically, in one round trip (rules 1-8 and 10). A batch of one is a single admit.
-- KEYS: 1 tenant hash, 2 key digests, 3 group hash, 4 lots, 5 lot index, 6 QPS purchase index,
--       7 QPS purchases, 8 window list, 9 the record bucket of the first request (a hash;
--       consecutive request ids of a replica share a bucket, RedisKeys.requestBucket)
-- ARGV: 1 key prefix, 2 group, 3 count-mode QPS, 4 max QPS, 5 free calls, 6 free validity ms,
--       7 free templates, 8 retention ms (>= 1), 9 the number S of request shapes; then S shapes of 4:
--       key digest, cost, qps limited (1/0), templates (none/create/delete) (the requests of a batch
--       mostly share one); then for each request: its id, the number of its shape (1..S)
-- Returns the answers in request order, as runs of 11 values (see emit below): a request's answer
-- is 'A', mode, limit, window remaining, reset ms, calls remaining, charged, charged from the free
-- lot, or a reason, mode, limit, window remaining, retry after ms, calls remaining, -1, 0.
--
-- Order: every check reads only, and every decision is made in memory first (a plan); the writes
-- come once, after the last decision, summed over the batch: one HINCRBY per lot touched, one
-- LPUSH of every admission, one HINCRBY per usage counter, one HSET of the batch's record. A denial changes nothing but the day's
-- rejection counter (and a first activation, which is owed). The rules are the functions below,
-- named as in MemoryAdmission and docs/rules.md.
--
-- Cost: few redis.call()s per batch, not per request (each is about as dear as the Lua around
-- it); few number<->string conversions (string arguments where one is at hand, times compared as
-- strings of equal length); common.lua only on rare paths (the first line above makes RedisScripts
-- wrap it in one function, common()).

local prefix, group = ARGV[1], ARGV[2]
local T, K, G, LOTS, IDX, QI, Q, W = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local S = tonumber(ARGV[9])
local FIRST = 10 + 4 * S  -- the first request's id
local n = (#ARGV - FIRST + 1) / 2
local USAGE_TTL = '34560000'  -- 400 days, USAGE_TTL_S of common.lua

-- a < b for times in ms as decimal strings: as strings when both have 13 digits (2001-2286),
-- else as numbers.
local function before(a, b)
  if #a == 13 and #b == 13 then return a < b end
  return tonumber(a) < tonumber(b)
end

-- The answers, emitted in request order and kept as runs: consecutive requests whose answers
-- differ only by a constant step in window remaining and in calls remaining share one run of 11
-- values: count, code, mode, limit, remaining, reset, calls, charged, free, remaining step, calls
-- step (the j-th request of a run, from 0, has remaining - j * step and calls - j * step). A batch
-- admitted from one lot is one run, so the reply and the record hold a few values per batch, not 8
-- per request. RedisAdmission.parse expands them.
local runs, nruns, last_rem, last_calls = {}, 0, 0, 0
local function emit(code, mode, limit, remaining, reset, calls, charged, free)
  free = free or 0
  if nruns > 0 then
    local b = (nruns - 1) * 11
    if runs[b + 2] == code and runs[b + 3] == mode and runs[b + 4] == limit and runs[b + 6] == reset
        and runs[b + 8] == charged and runs[b + 9] == free then
      local k, dr, dc = runs[b + 1], last_rem - remaining, last_calls - calls
      if k == 1 or (dr == runs[b + 10] and dc == runs[b + 11]) then
        runs[b + 1], runs[b + 10], runs[b + 11] = k + 1, dr, dc
        last_rem, last_calls = remaining, calls
        return
      end
    end
  end
  local b = nruns * 11
  nruns = nruns + 1
  runs[b + 1], runs[b + 2], runs[b + 3], runs[b + 4], runs[b + 5], runs[b + 6] = 1, code, mode, limit, remaining, reset
  runs[b + 7], runs[b + 8], runs[b + 9], runs[b + 10], runs[b + 11] = calls, charged, free, 0, 0
  last_rem, last_calls = remaining, calls
end

-- Answers decided before the rules run (cancelled, invalid key): the same for every such request.
local pre = {}
local function emit_pre(i)
  emit(pre[i], 'count', 0, 0, 0, -1, -1, 0)
end

-- Rule 10: a resent or repeated admit returns its recorded decision and changes nothing; a
-- cancelled id (cancelled before its admit arrived, or after it applied) never charges. A batch
-- that charged or reserved anything leaves one record (written at the end): cmsgpack of the format
-- (2), the request ids, the answers (runs, as returned), what each took (runs of 3: count, lot or
-- the whole "lot:n,..." text, calls or ''), template uses, group and day, in field
-- <first request id>#. That id is every request's receipt: settle.lua finds the record with it,
-- and notes what it did in field <first request id>! as ";<id>=<mark>" (t: cancelled before the
-- batch applied, c: cancelled after, s: settled). Two fields per batch, read with one HMGET;
-- nothing per request.
local function id_of(i) return ARGV[FIRST + (i - 1) * 2] end
local BATCH_FIELD, MARK_FIELD = id_of(1) .. '#', id_of(1) .. '!'

local function recorded_decisions()
  local found = redis.call('HMGET', KEYS[9], BATCH_FIELD, MARK_FIELD)
  local batch, marks = found[1], found[2]
  local function cancelled(i)
    if not marks then return false end
    local at = string.find(marks, ';' .. id_of(i) .. '=', 1, true)
    if not at then return false end
    local m = string.sub(marks, at + #id_of(i) + 2, at + #id_of(i) + 2)
    return m == 't' or m == 'c'
  end
  if batch then
    -- The batch applied before: answer what it answered (a request cancelled since: CANCELLED).
    -- Records of the version before runs hold 8 values per request.
    local format, a, b = cmsgpack.unpack(batch)
    local answers = type(format) == 'number' and b or a
    local i = 0
    local function again(code, mode, limit, remaining, reset, calls, charged, free)
      i = i + 1
      if cancelled(i) then
        emit('CANCELLED', 'count', 0, 0, 0, -1, -1, 0)
      else
        emit(code, mode, limit, remaining, reset, calls, charged, free)
      end
    end
    if type(format) ~= 'number' then
      for b = 0, 8 * n - 1, 8 do
        again(answers[b + 1], answers[b + 2], answers[b + 3], answers[b + 4], answers[b + 5], answers[b + 6],
          answers[b + 7], answers[b + 8])
      end
    else
      for b = 0, #answers - 1, 11 do
        for j = 0, answers[b + 1] - 1 do
          again(answers[b + 2], answers[b + 3], answers[b + 4], answers[b + 5] - j * answers[b + 10], answers[b + 6],
            answers[b + 7] - j * answers[b + 11], answers[b + 8], answers[b + 9])
        end
      end
    end
    return {}, false
  end
  local pending, any = {}, false
  for i = 1, n do
    if cancelled(i) then
      pre[i] = 'CANCELLED'
    else
      pending[i], any = true, true
    end
  end
  return pending, any
end

-- Emits every request's answer when none reached the rules (each is in pre).
local function all_pre()
  for i = 1, n do emit_pre(i) end
  return runs
end

local pending, any = recorded_decisions()
if nruns > 0 then return runs end
if not any then return all_pre() end

-- The requests still to decide: each is its shape (shared, read only).
local shapes = {}
for k = 1, S do
  local b = 10 + (k - 1) * 4
  shapes[k] = { digest = ARGV[b], cost_s = ARGV[b + 1], cost = tonumber(ARGV[b + 1]) or 0,
    qps = ARGV[b + 2] == '1', tpl = ARGV[b + 3] }
end
local req = {}
for i = 1, n do
  if pending[i] then req[i] = shapes[tonumber(ARGV[FIRST + (i - 1) * 2 + 1])] end
end

-- Unknown tenant and unknown or revoked key look the same, and write nothing. Every tenant hash
-- has a status (create_tenant.lua), so one HGET stands for EXISTS and the status. Several keys of
-- one tenant are looked up in one HMGET.
local function valid_keys()
  local status = redis.call('HGET', T, 'status')
  local valid, digests, seen = {}, {}, {}
  if not status then return nil, valid end
  for i = 1, n do
    local r = req[i]
    if r and not seen[r.digest] then
      seen[r.digest] = true
      digests[#digests + 1] = r.digest
    end
  end
  local found = redis.call('HMGET', K, unpack(digests))
  for j = 1, #digests do
    if found[j] then valid[digests[j]] = true end
  end
  return status, valid
end

local status, valid = valid_keys()
local live = false
for i = 1, n do
  local r = req[i]
  if r and not valid[r.digest] then
    pre[i] = 'INVALID_API_KEY'
    req[i] = nil
  elseif r then
    live = true
  end
end
if not live then return all_pre() end

-- Server time: the µs and ms as strings are cut from the reply, not formatted.
local t = redis.call('TIME')
local usec = string.sub('00000' .. t[2], -6)
local now_s = t[1] .. usec
local now_ms_s = t[1] .. string.sub(usec, 1, 3)
local now = tonumber(now_s)
local now_ms = math.floor(now / 1000)
local day = string.format('%d', math.floor(now_ms / 86400000))
local U = prefix .. 'u:' .. group .. ':' .. day
local rejections = {}

local function reject(reason, mode, limit, remaining, retry_ms, calls)
  rejections[reason] = (rejections[reason] or 0) + 1
  emit(reason, mode, limit, remaining, retry_ms, calls, -1, 0)
end

-- A usage key is created by the first increment of one of its fields: EXPIRE then, not on every
-- increment (counters only grow).
local function count_usage(field, by)
  if by > 0 and redis.call('HINCRBY', U, field, by) == by then redis.call('EXPIRE', U, USAGE_TTL) end
end

local function count_rejections()
  for reason, c in pairs(rejections) do count_usage('rej:' .. string.lower(reason), c) end
end

-- Group fields: nx (no indexed lot expires before nx ms; written only by this script, after
-- activation), mode, calls (usable total), wx (the window's expiry is refreshed after wx ms),
-- tu/tq (templates).
local g = redis.call('HMGET', G, 'nx', 'mode', 'calls', 'wx', 'tu', 'tq')
if status == 'suspended' then
  for i = 1, n do
    if req[i] then reject('TENANT_SUSPENDED', g[2] or 'count', 0, 0, 0, -1) else emit_pre(i) end
  end
  count_rejections()
  return runs
end

-- Rule 1: maybe the group's first admit (a group added to the config later); activation checks
-- its act marker itself and happens at most once.
local nx = g[1]
if not nx then
  common().activate(prefix, group, tonumber(ARGV[5]) or 0, tonumber(ARGV[6]) or 0,
    tonumber(ARGV[7]) or 0, now_ms, now_ms)
  g = redis.call('HMGET', G, 'nx', 'mode', 'calls', 'wx', 'tu', 'tq')
end
local mode = g[2] or 'count'

-- Rule 5: in QPS mode the sum of the purchases active now (only purchases that have not ended
-- are indexed), capped at max QPS; in count mode the group's count-mode QPS.
local function qps_limit_in_force()
  if mode ~= 'qps' then return tonumber(ARGV[3]) or 0, ARGV[3] end
  local sum = 0
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', QI, '(' .. now_ms_s, '+inf')) do
    local raw = redis.call('HGET', Q, id)
    if raw then
      local qps, starts = string.match(raw, '^([^\31]*)\31([^\31]*)')
      if (tonumber(starts) or 0) <= now_ms then sum = sum + (tonumber(qps) or 0) end
    end
  end
  local limit = math.min(sum, tonumber(ARGV[4]) or 0)
  return limit, string.format('%d', limit)
end

local any_qps, any_cost = false, false
for i = 1, n do
  local r = req[i]
  if r then
    any_qps = any_qps or r.qps
    any_cost = any_cost or r.cost > 0
  end
end
local limit, limit_s = 0, '0'
if any_qps then limit, limit_s = qps_limit_in_force() end

-- Rule 3: lots still indexed whose expiry passed; their calls are void. Looked for only once the
-- earliest expiry among indexed lots has come (nx: set at the end, lowered by every ZADD into the
-- index in common.lua; absent: unknown). Reads only: the lots leave the index with the writes.
local function usable_calls()
  if nx and before(now_ms_s, nx) then return nil, 0 end
  local expired, void = {}, 0
  local found = redis.call('ZRANGEBYSCORE', IDX, '(0', now_ms_s)
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', IDX, '0', '0')) do found[#found + 1] = m end
  for _, m in ipairs(found) do
    local id = string.sub(m, 17)
    local info = common().lot_info(LOTS, id)
    if info and now_ms >= info.expires then
      local rem = tonumber(redis.call('HGET', LOTS, id .. ':r')) or 0
      expired[#expired + 1] = m
      expired[m] = rem
      void = void + rem
    end
  end
  return expired, void
end

local expired, usable = nil, 0
if mode == 'count' then
  local void
  expired, void = usable_calls()
  usable = (tonumber(g[3]) or 0) - void
end

-- Rule 2: lots in use order (the free lot, score 0, first; then paid lots by expiry, ties by
-- grant time), read a page at a time only as far as the batch needs: one lot first, which covers
-- most batches, then 8 at a time. Never an expired lot.
local lots, loaded, offset, exhausted_index = {}, 0, 0, false
local function load_lots()
  local page
  if offset == 0 then
    page = redis.call('ZRANGE', IDX, '0', '0', 'WITHSCORES')
  else
    page = redis.call('ZRANGE', IDX, offset, offset + 7, 'WITHSCORES')
  end
  offset = offset == 0 and 1 or offset + 8
  if #page == 0 then exhausted_index = true return end
  for j = 1, #page, 2 do
    local m, expires, free = page[j], page[j + 1], false
    local id = string.sub(m, 17)
    if expires == '0' then
      local info = common().lot_info(LOTS, id)
      expires, free = info and string.format('%d', info.expires), true
    end
    local rem = tonumber(redis.call('HGET', LOTS, id .. ':r')) or 0
    if expires and rem > 0 and before(now_ms_s, expires) then
      loaded = loaded + 1
      lots[loaded] = { id = id, m = m, rem = rem, took = 0, free = free }
    end
  end
end

-- Takes cost calls in use order, or nothing when they cannot be covered in full. Returns the
-- calls taken from the free lot and what was taken: a lot and the calls taken from it, or the whole
-- "lot:n,..." text and '' when several lots gave; or nil.
local function take_calls(cost, cost_s)
  if usable < cost then return nil end
  -- The usual case: the first lot with calls left covers the whole cost.
  local j = 1
  while j <= loaded and lots[j].rem == 0 do j = j + 1 end
  if j > loaded and not exhausted_index then load_lots() end
  local first = lots[j]
  if first and first.rem >= cost then
    first.rem, first.took = first.rem - cost, first.took + cost
    usable = usable - cost
    return first.free and cost or 0, first.id, cost_s
  end
  local need, plan = cost, {}
  while need > 0 do
    if j > loaded then
      if exhausted_index then return nil end
      load_lots()
    else
      local lot = lots[j]
      local take = math.min(lot.rem, need)
      if take > 0 then
        plan[#plan + 1] = { lot, take }
        need = need - take
      end
      j = j + 1
    end
  end
  local free, taken = 0, {}
  for k = 1, #plan do
    local lot, take = plan[k][1], plan[k][2]
    lot.rem, lot.took = lot.rem - take, lot.took + take
    if lot.free then free = free + take end
    taken[k] = lot.id .. ':' .. string.format('%d', take)
  end
  usable = usable - cost
  return free, table.concat(taken, ','), ''
end

-- Rule 7: a create needs a free slot.
local tu, tq = tonumber(g[5]) or 0, tonumber(g[6]) or 0
local function template_slot_free(tpl)
  return tpl ~= 'create' or tu < tq
end

-- Rule 6: entries are admission times (µs), newest first. Entries that left the window
-- (now - 1 s, now] are dropped from the tail, so what remains is in the window and every look-up is
-- at the list's ends. The tail is read a page at a time, sized to the batch (in a steady state a
-- call drops about as many entries as it pushes): one LRANGE and at most one LTRIM per call, O(1)
-- amortised per request. Dropping aged entries changes no decision (they count in no window from
-- now on), so it is not a "write" in the sense of rule 8. Admissions of this batch are pushed at
-- the end, all at now.
local in_window, oldest = 0, now
local function window_count()
  local cutoff = now - 1000000
  local page = math.min(64, n + 2)
  while true do
    local tail = redis.call('LRANGE', W, -page, -1)
    local k = #tail
    if k == 0 then return end
    local aged = 0
    while aged < k and tonumber(tail[k - aged]) <= cutoff do aged = aged + 1 end
    if aged > 0 then redis.call('LTRIM', W, '0', -(aged + 1)) end
    if aged < k then
      oldest, in_window = tonumber(tail[k - aged]), redis.call('LLEN', W)
      return
    end
    if k < page then return end
  end
end
if any_qps then window_count() end

local pushed, retry_ms = 0, nil
-- The wait until the limit-th newest admission leaves the window: this batch's own (at now) are
-- the newest, then the list's entries, newest first.
local function window_retry_ms()
  if retry_ms then return retry_ms end
  local entry = now
  if limit > pushed then
    local idx = limit - pushed
    entry = (idx >= in_window) and oldest or tonumber(redis.call('LINDEX', W, idx - 1))
  end
  retry_ms = math.max(1, math.ceil((entry + 1000000 - now) / 1000))
  return retry_ms
end

-- What each request took, as runs of 3 in request order: count, lot (or the whole text), calls
-- (or ''); '', '' for a request that took nothing.
local takes, ntakes = {}, 0
local function took(lot, calls)
  local b = (ntakes - 1) * 3
  if ntakes > 0 and takes[b + 2] == lot and takes[b + 3] == calls then
    takes[b + 1] = takes[b + 1] + 1
  else
    b = ntakes * 3
    ntakes = ntakes + 1
    takes[b + 1], takes[b + 2], takes[b + 3] = 1, lot, calls
  end
end

-- Every request in order: permanent reasons before the transient QPS one, as in MemoryAdmission.
local admitted, charged_total, charged_free, creates = 0, 0, 0, 0
local tpls, recorded = {}, false
-- calls remaining as reported: the usable calls in count mode (nil here), -1 in QPS mode
local reported
if mode ~= 'count' then reported = -1 end
for i = 1, n do
  local r = req[i]
  local lot, lot_calls = '', ''
  if not r then
    emit_pre(i)
  else
    local calls = reported or math.max(usable, 0)
    local counted = r.qps and in_window + pushed or 0
    -- the limit applies to (and is reported for) QPS-limited routes only
    local lim, lim_s = 0, '0'
    if r.qps then lim, lim_s = limit, limit_s end
    if r.qps and mode == 'qps' and limit <= 0 then
      reject('QPS_NOT_PURCHASED', mode, 0, 0, 0, -1)
    elseif mode == 'count' and r.cost > 0 and usable < r.cost then
      reject('CALLS_EXHAUSTED', mode, lim, 0, 0, calls)
    elseif not template_slot_free(r.tpl) then
      reject('TEMPLATE_QUOTA_EXHAUSTED', mode, lim, 0, 0, reported or usable)
    elseif r.qps and counted >= limit then
      reject('QPS_EXCEEDED', mode, lim, 0, window_retry_ms(), reported or usable)
    else
      local free, taken, taken_calls = 0, '', ''
      if mode == 'count' and r.cost > 0 then
        free, taken, taken_calls = take_calls(r.cost, r.cost_s)
      end
      if not free then
        -- the index held fewer calls than the group's total said: deny rather than charge in part
        reject('CALLS_EXHAUSTED', mode, lim, 0, 0, calls)
      else
        local charged = (mode == 'count' and r.cost > 0) and r.cost or 0
        local remaining, reset_ms = 0, 0
        if r.qps then
          local first = (in_window > 0) and oldest or now
          remaining = limit - counted - 1
          reset_ms = math.max(0, math.ceil((first + 1000000 - now) / 1000))
          pushed = pushed + 1
        end
        if r.tpl == 'create' then tu, creates = tu + 1, creates + 1 end
        charged_total, charged_free, admitted = charged_total + charged, charged_free + free, admitted + 1
        local left = reported or usable
        emit('A', mode, lim, remaining, reset_ms, left, charged, free)
        if charged > 0 then lot, lot_calls, recorded = taken, taken_calls, true end
        if r.tpl ~= 'none' then tpls[i], recorded = r.tpl, true end
      end
    end
  end
  took(lot, lot_calls)
end

-- Every decision made: apply the charges, the slots and the window together (rule 8).
if expired then
  for _, m in ipairs(expired) do
    redis.call('ZREM', IDX, m)
    redis.call('HINCRBY', G, 'calls', -expired[m])
  end
end
for j = 1, loaded do
  local lot = lots[j]
  if lot.took > 0 then
    redis.call('HINCRBY', LOTS, lot.id .. ':r', -lot.took)
    if lot.rem == 0 then redis.call('ZREM', IDX, lot.m) end
  end
end
if charged_total > 0 then redis.call('HINCRBY', G, 'calls', -charged_total) end
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
if creates > 0 then redis.call('HINCRBY', G, 'tu', creates) end

if pushed > 0 then
  local entries = {}
  for j = 1, pushed do entries[j] = now_s end
  redis.call('LPUSH', W, unpack(entries))
  -- No LTRIM: every push was below the limit. The list must outlive its newest entry by 1 s. Its
  -- expiry is set to now + 3 s when wx (then now + 900 ms) has passed, not on every batch.
  local wx = g[4]
  if not wx or before(wx, now_ms_s) then
    redis.call('PEXPIREAT', W, string.format('%d', now_ms + 3000))
    redis.call('HSET', G, 'wx', string.format('%d', now_ms + 900))
  end
end

-- The record lets a resent batch return its first results, and settle/cancel undo exactly what
-- was taken. A batch that took nothing (QPS mode, free routes) has nothing to undo or to take
-- twice: no record, so uncharged traffic costs Redis no memory per request. The record's bucket
-- lives its retention after its last record: its TTL only ever grows (a cancel may have set 24 h).
if recorded then
  local ids = {}
  for i = 1, n do ids[i] = id_of(i) end
  redis.call('HSET', KEYS[9], BATCH_FIELD, cmsgpack.pack(2, ids, runs, takes, tpls, group, day))
  if redis.call('PTTL', KEYS[9]) < tonumber(ARGV[8]) then redis.call('PEXPIRE', KEYS[9], ARGV[8]) end
end
count_usage('admitted', admitted)
count_usage('charged', charged_total)
count_usage('charged_free', charged_free)
count_rejections()
return runs
