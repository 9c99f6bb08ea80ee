-- Credits a tenant once per order id (rule 10): packs (rules 2-3), template slots (rule 7) and
-- QPS purchases (rule 5). The same order id with the same fingerprint returns the first result;
-- with another fingerprint, a conflict. Validation happens before the first write.
-- KEYS: 1 tenant hash, 2 order record
-- ARGV: 1 prefix, 2 kind (pack/templates/qps), 3 group, 4 fingerprint, 5 order id, 6 price,
--       7 currency, 8 ledger time ms, then
--       pack: 9 calls, 10 granted ms, 11 expires ms
--       templates: 9 slots
--       qps: 9 qps, 10 starts ms, 11 ends ms, 12 max qps
-- Returns {'OK', result} or {'NOT_FOUND'|'CONFLICT'|'INVALID', message}.

local prefix, kind, group, fp, order = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local price, currency, at_ms = ARGV[6], ARGV[7], num(ARGV[8])
local T, O = KEYS[1], KEYS[2]

if redis.call('EXISTS', T) == 0 then return { 'NOT_FOUND', 'no such tenant' } end
local prior = redis.call('HMGET', O, 'fp', 'res')
if prior[1] then
  if prior[1] == fp then return { 'OK', prior[2] } end
  return { 'CONFLICT', 'order ' .. order .. ' was used for another grant' }
end
local now_ms = math.floor(now_us() / 1000)
local gkey = prefix .. 'g:' .. group

-- Rule 5: the active sum only changes where a purchase starts or ends, so checking the new
-- purchase's start and every other start inside [starts, ends) covers every instant.
local function qps_peak(qps, starts, ends)
  local live = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', gkey .. ':qi', '(' .. fmt(starts), '+inf')) do
    local f = split(redis.call('HGET', gkey .. ':q', id))
    if num(f[2]) < ends then live[#live + 1] = { qps = num(f[1]), s = num(f[2]), e = num(f[3]) } end
  end
  local peak, peak_at = 0, starts
  local function sum_at(t)
    local sum = qps
    for _, p in ipairs(live) do
      if p.s <= t and t < p.e then sum = sum + p.qps end
    end
    if sum > peak then peak, peak_at = sum, t end
  end
  sum_at(starts)
  for _, p in ipairs(live) do
    if p.s > starts then sum_at(p.s) end
  end
  return peak, peak_at
end

local result, detail
if kind == 'qps' then
  local qps, starts, ends, max_qps = num(ARGV[9]), num(ARGV[10]), num(ARGV[11]), num(ARGV[12])
  local peak, peak_at = qps_peak(qps, starts, ends)
  if peak > max_qps then
    return { 'INVALID', 'active QPS would reach ' .. fmt(peak) .. ' at ' .. fmt(peak_at) .. ' (max_qps ' .. fmt(max_qps) .. ')' }
  end
  touch_group(prefix, group)
  local id = string.format('Q%09d', redis.call('HINCRBY', T, 'seq', 1))
  redis.call('HSET', gkey .. ':q', id, join(fmt(qps), fmt(starts), fmt(ends), order))
  redis.call('ZADD', gkey .. ':qi', ends, id)
  -- Ended purchases stay in the hash (history) but leave the index admissions read.
  redis.call('ZREMRANGEBYSCORE', gkey .. ':qi', '-inf', fmt(now_ms))
  result = join(id, fmt(qps), fmt(starts), fmt(ends), order)
  detail = 'qps=' .. fmt(qps) .. ' from=' .. fmt(starts) .. ' to=' .. fmt(ends)
elseif kind == 'pack' then
  local calls, granted, expires = num(ARGV[9]), num(ARGV[10]), num(ARGV[11])
  touch_group(prefix, group)
  local id = add_lot(T, gkey, gkey .. ':l', gkey .. ':i', 'paid', calls, granted, expires, order, now_ms)
  result = join(id, 'paid', fmt(calls), fmt(calls), fmt(granted), fmt(expires), order)
  detail = 'calls=' .. fmt(calls) .. ' lot=' .. id .. ' expires=' .. fmt(expires)
elseif kind == 'templates' then
  touch_group(prefix, group)
  local slots = num(ARGV[9])
  local quota = redis.call('HINCRBY', gkey, 'tq', slots)
  result = join(fmt(quota), fmt(num(redis.call('HGET', gkey, 'tu'))))
  detail = 'slots=' .. fmt(slots)
else
  return redis.error_reply('unknown kind ' .. tostring(kind))
end

redis.call('HSET', O, 'fp', fp, 'res', result)
ledger(prefix, at_ms, kind == 'pack' and 'pack_granted' or (kind == 'qps' and 'qps_bought' or 'templates_granted'),
  group, order, detail, price, currency)
changed(prefix)
return { 'OK', result }
