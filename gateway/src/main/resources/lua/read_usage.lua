-- Reads daily usage as lines: U group day field value field value ...
-- KEYS: 1 tenant hash. ARGV: 1 prefix, 2 group ('' for all), 3 first epoch day, 4 last epoch day
local prefix, only = ARGV[1], ARGV[2]
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'NOT_FOUND' } end
local groups = only ~= '' and { only } or redis.call('SMEMBERS', prefix .. 'groups')
local out = { 'OK' }
for _, group in ipairs(groups) do
  for day = num(ARGV[3]), num(ARGV[4]) do
    local h = redis.call('HGETALL', usage_key(prefix, group, day))
    if #h > 0 then
      out[#out + 1] = join('U', group, fmt(day), unpack(h))
    end
  end
end
return out
