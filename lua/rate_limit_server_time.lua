-- rate_limit_server_time.lua: the seed's sliding-window limiter, stamped with the server's clock.
-- KEYS[1] = the limiter's sorted set, one per limited subject (e.g. "lh:<run>:rl:{k3}")
-- ARGV[1] = window size in seconds (a fraction is fine: "0.5" = 500 ms)
-- ARGV[2] = max requests per window
-- ARGV[3] = request id, unique per request (see rate_limit.lua for why not math.random)
-- Returns {allowed, now_ms_used}: allowed = 1 allowed, 0 rate limited, 2 allowed but the member collided
-- (not counted); now_ms_used = the server time (ms since the epoch) the decision used.
--
-- Why the server clock: with ARGV `now` every caller stamps with its own clock, and requests can reach the
-- server out of stamp order (a slow request stamped early trims nothing and is admitted late). TIME stamps at
-- execution, and scripts execute one at a time, so stamps follow execution order on one server. Redis 7
-- replicates scripts by their effects, so reading TIME before writing is allowed.
local key = KEYS[1]
local window = tonumber(ARGV[1]) * 1000
local limit = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, 0, now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  local added = redis.call('ZADD', key, now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', key, window)
  if added == 0 then
    return {2, now}
  end
  return {1, now}
else
  return {0, now}
end
