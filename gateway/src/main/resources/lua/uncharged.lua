-- One ledger line for the requests a replica forwarded uncharged for a tenant and group during a store outage
-- (on_error: allow), written once per entry id: a repeat (a retry after a timeout) writes nothing.
-- The detail comes from the caller (UnchargedEntry.detail, the same for every store); the time is the server's.
-- KEYS: 1 tenant hash, 2 the entry's record (qg:{t}:uc:<group>:<id>)
-- ARGV: 1 prefix, 2 group, 3 detail, 4 record TTL s
-- Returns {'OK', 1} (written now), {'OK', 0} (written before) or {'NOT_FOUND', message}.

if redis.call('EXISTS', KEYS[1]) == 0 then return { 'NOT_FOUND', 'no such tenant' } end
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[4]) then return { 'OK', 0 } end
ledger(ARGV[1], math.floor(now_us() / 1000), 'uncharged_admissions', ARGV[2], '', ARGV[3], '', '')
return { 'OK', 1 }
