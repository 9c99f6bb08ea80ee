-- Billing events (RedisEventStore): records, the outbox and the reminder schedule. Every key is under the
-- {qg-events} hash tag, so each call is one atomic script on one slot (Redis Cluster too).
--   e:ID      hash: id, json (the event as sent, id field as first emitted), st (pending|delivered|failed),
--             att (attempts started), err (last failure), dlv (delivered ms); expires 400 days after emission
--   due       zset: pending event id -> ms it is due (a claim moves it to the end of its lease)
--   log, seq  zset: event id -> emission sequence number (newest 10,000), for listing; the sequence counter
--   rem, remd zset: reminder id -> due ms; hash: reminder id -> the event to emit then
--   grants    hash: tenant SEP group -> generation SEP calls of the last call grant
--   status    hash: tenant -> last emitted status SEP change count
-- KEYS: 1 due (routes the call). ARGV: 1 operation, then its arguments. Replies are arrays of strings.
local P = 'qg:{qg-events}:'
local DUE, LOG, REM, REMD, GR, ST = KEYS[1], P .. 'log', P .. 'rem', P .. 'remd', P .. 'grants', P .. 'status'
local SEP = '\031'
local TTL = 400 * 86400
local op = ARGV[1]

local function split(s)
  local out, from = {}, 1
  while true do
    local at = string.find(s, SEP, from, true)
    if not at then out[#out + 1] = string.sub(s, from); return out end
    out[#out + 1] = string.sub(s, from, at - 1)
    from = at + 1
  end
end

-- The once-per-id decision: an id already recorded is not emitted again.
local function add(id, json, due)
  local E = P .. 'e:' .. id
  if redis.call('EXISTS', E) == 1 then return '0' end
  redis.call('HSET', E, 'id', id, 'json', json, 'st', 'pending', 'att', '0', 'err', '', 'dlv', '')
  redis.call('EXPIRE', E, TTL)
  redis.call('ZADD', DUE, due, id)
  redis.call('ZADD', LOG, redis.call('INCR', P .. 'seq'), id)
  if redis.call('ZCARD', LOG) > 10000 then redis.call('ZREMRANGEBYRANK', LOG, 0, -10001) end
  return '1'
end

local function record(id)
  local r = redis.call('HMGET', P .. 'e:' .. id, 'id', 'st', 'att', 'err', 'dlv', 'json')
  if not r[1] then return nil end
  return table.concat({ r[1], r[2], r[3], r[4], r[5], r[6] }, SEP)
end

if op == 'emit' then
  return { add(ARGV[2], ARGV[3], ARGV[4]), ARGV[2] }
elseif op == 'emit_for_grant' then
  local g = redis.call('HGET', GR, ARGV[5])
  local id = ARGV[2] .. ':g' .. (g and split(g)[1] or '0')
  return { add(id, ARGV[3], ARGV[4]), id }
elseif op == 'emit_grant' then
  local new = add(ARGV[2], ARGV[3], ARGV[4])
  if new == '1' and tonumber(ARGV[6]) > 0 then
    local g = redis.call('HGET', GR, ARGV[5])
    local gen = g and tonumber(split(g)[1]) or 0
    redis.call('HSET', GR, ARGV[5], (gen + 1) .. SEP .. ARGV[6])
  end
  return { new, ARGV[2] }
elseif op == 'emit_status' then
  local last = redis.call('HGET', ST, ARGV[5])
  local status, changes = 'active', 0
  if last then local f = split(last); status, changes = f[1], tonumber(f[2]) end
  if status == ARGV[6] then return { '0', '' } end
  changes = changes + 1
  redis.call('HSET', ST, ARGV[5], ARGV[6] .. SEP .. changes)
  local id = ARGV[2] .. ':' .. changes
  return { add(id, ARGV[3], ARGV[4]), id }
elseif op == 'last_grant' then
  local g = redis.call('HGET', GR, ARGV[2])
  return { g and split(g)[2] or '' }
elseif op == 'schedule' then
  redis.call('ZADD', REM, ARGV[4], ARGV[2])
  redis.call('HSET', REMD, ARGV[2], ARGV[3])
  return {}
elseif op == 'claim_reminders' then
  local out = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', REM, '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))) do
    local due = redis.call('ZSCORE', REM, id)
    redis.call('ZADD', REM, ARGV[3], id)
    out[#out + 1] = due .. SEP .. (redis.call('HGET', REMD, id) or '')
  end
  return out
elseif op == 'reminder_done' then
  redis.call('ZREM', REM, ARGV[2])
  redis.call('HDEL', REMD, ARGV[2])
  return {}
elseif op == 'claim' then
  local ids = redis.call('ZRANGEBYSCORE', DUE, '-inf', ARGV[2], 'LIMIT', 0, 1)
  if #ids == 0 then return {} end
  local id = ids[1]
  if redis.call('EXISTS', P .. 'e:' .. id) == 0 then
    redis.call('ZREM', DUE, id) -- the record expired: nothing left to send
    return {}
  end
  redis.call('HINCRBY', P .. 'e:' .. id, 'att', 1)
  redis.call('ZADD', DUE, ARGV[3], id)
  return { record(id) }
elseif op == 'delivered' then
  if redis.call('EXISTS', P .. 'e:' .. ARGV[2]) == 1 then
    redis.call('HSET', P .. 'e:' .. ARGV[2], 'st', 'delivered', 'dlv', ARGV[3])
  end
  redis.call('ZREM', DUE, ARGV[2])
  return {}
elseif op == 'failed' then
  local E = P .. 'e:' .. ARGV[2]
  if redis.call('HGET', E, 'st') == 'pending' then
    redis.call('HSET', E, 'err', ARGV[3])
    if ARGV[4] == '' then
      redis.call('HSET', E, 'st', 'failed')
      redis.call('ZREM', DUE, ARGV[2])
    else
      redis.call('ZADD', DUE, ARGV[4], ARGV[2])
    end
  end
  return {}
elseif op == 'recent' then
  local out = {}
  for _, id in ipairs(redis.call('ZREVRANGE', LOG, 0, tonumber(ARGV[2]) - 1)) do
    local r = record(id)
    if r then out[#out + 1] = r end
  end
  return out
elseif op == 'find' then
  local r = record(ARGV[2])
  return r and { r } or {}
elseif op == 'replay' then
  local E = P .. 'e:' .. ARGV[2]
  if redis.call('EXISTS', E) == 0 then return {} end
  redis.call('HSET', E, 'st', 'pending', 'att', '0')
  redis.call('EXPIRE', E, TTL)
  redis.call('ZADD', DUE, ARGV[3], ARGV[2])
  return { record(ARGV[2]) }
end
return redis.error_reply('unknown events operation ' .. tostring(op))
