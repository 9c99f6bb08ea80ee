-- Reads a tenant's ledger. KEYS: 1 tenant hash, 2 ledger list. Returns {'NOT_FOUND'} or {'OK', line...}
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'NOT_FOUND' } end
local out = { 'OK' }
for _, line in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do out[#out + 1] = line end
return out
