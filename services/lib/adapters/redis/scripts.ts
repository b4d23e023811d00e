/**
 * Lua scripts for the Redis hot state. Each is one atomic compare-and-set on the server,
 * and every expiry is computed from the Redis server clock (TIME), so processes with
 * skewed clocks agree on when a lease, record or mark has expired.
 */

/** KEYS[1] lease; ARGV holder, ttlMs. Take if free, extend if ours, else refuse. */
export const ACQUIRE_LEASE = `
local cur = redis.call('GET', KEYS[1])
if cur == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** KEYS[1] lease; ARGV holder. Delete only if ours (a late release must not free someone else's lease). */
export const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] record hash; ARGV field, value, ttlMs. Redis 7.0 has no per-field expiry
 * (HEXPIRE is 7.4), so a field holds "<expiresAtMs>:<value>" and the key lives as long
 * as its longest field.
 */
export const PUT_RECORD = `${NOW_MS}
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], (now + ttl) .. ':' .. ARGV[2])
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1`;

/** KEYS[1] record hash. Returns live [field, value, …] and deletes expired fields. */
export const GET_RECORDS = `${NOW_MS}
local all = redis.call('HGETALL', KEYS[1])
local out = {}
local dead = {}
for i = 1, #all, 2 do
  local v = all[i + 1]
  local sep = string.find(v, ':', 1, true)
  if sep and tonumber(string.sub(v, 1, sep - 1)) > now then
    out[#out + 1] = all[i]
    out[#out + 1] = string.sub(v, sep + 1)
  else
    dead[#dead + 1] = all[i]
  end
end
if #dead > 0 then redis.call('HDEL', KEYS[1], unpack(dead)) end
return out`;

/**
 * KEYS[1] sorted set of marks scored by expiry; ARGV ttlMs, id… Also drops expired
 * marks, so the set stays bounded by what was marked within the longest TTL.
 */
export const MARK_SEEN = `${NOW_MS}
local ttl = tonumber(ARGV[1])
local args = {}
for i = 2, #ARGV do
  args[#args + 1] = now + ttl
  args[#args + 1] = ARGV[i]
end
redis.call('ZADD', KEYS[1], unpack(args))
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1`;

/** KEYS[1] sorted set of marks; ARGV id… Returns the 1-based positions of live marks. */
export const FILTER_SEEN = `${NOW_MS}
local scores = redis.call('ZMSCORE', KEYS[1], unpack(ARGV))
local out = {}
for i = 1, #ARGV do
  local s = scores[i]
  if s and tonumber(s) > now then out[#out + 1] = i end
end
return out`;

/**
 * KEYS[1] rate-limit TAT; ARGV limit, periodMs, nowMs. GCRA, the same arithmetic as
 * services/lib/rate-limit/gcra.ts; the caller's clock, so a test can drive every instance.
 * Returns {allowed, remaining, resetAtMs, retryAfterMs}.
 */
export const CONSUME_RATE_LIMIT = `
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local interval = period / limit
local stored = tonumber(redis.call('GET', KEYS[1]))
local tat = now
if stored ~= nil and stored > now then tat = stored end
local newTat = tat + interval
local allowAt = newTat - period
if now < allowAt then
  return {0, 0, math.ceil(tat), math.ceil(allowAt - now)}
end
redis.call('SET', KEYS[1], tostring(newTat), 'PX', math.max(1, math.ceil(newTat - now)))
return {1, math.max(0, math.floor((period - (newTat - now)) / interval + 1e-9)), math.ceil(newTat), 0}`;
