-- ARGV: batch size. Claims rooms past their time: ZREM makes exactly one caller the owner.
local due = redis.call('ZRANGEBYSCORE', EXPIRIES, '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(due) do delete_room(id) end
return due
