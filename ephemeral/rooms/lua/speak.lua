#!lua flags=allow-oom
-- allow-oom: a full Redis refuses new rooms, people and sockets, but the rooms open go on talking. What this
-- adds is bounded: the room's last MESSAGES_KEPT ids, and per id at most one reaction per emoji per participant.
-- ARGV: id, token hash, message id (made by the caller), '' or '=' .. the id it replies to ('=' alone: an
-- id no message has), messages kept. The binding's participant sends a message: 'forbidden' for a member
-- of a broadcast room, 'invalid' for a reply to a message the room does not keep. Records message id ->
-- author id, forgetting the oldest message past the cap. The message path's one call: it answers who spoke
-- ({'ok', participant, kind, mode}), with as few commands as it can, since every message pays for each.
local room, members = room_keys(ARGV[1])
-- The room's keys expire at its time (create.lua), so finding its binding is the check that it lives: no clock.
local exp = redis.call('HGET', room, 'exp')
local participant = exp and redis.call('HGET', members, ARGV[2])
if not participant then return {'unauthorized'} end
local you, kind_mode = cjson.decode(participant), redis.call('HMGET', room, 'kind', 'mode')
if kind_mode[1] == 'broadcast' and you.role ~= HOST then return {'forbidden'} end
local said, order = message_keys(ARGV[1])
if ARGV[4] ~= '' then
  local target = string.sub(ARGV[4], 2)
  if target == '' or redis.call('HEXISTS', said, target) == 0 then return {'invalid'} end
end
redis.call('HSET', said, ARGV[3], you.id)
redis.call('ZADD', order, redis.call('HINCRBY', room, 'said', 1), ARGV[3])
local kept = redis.call('ZCARD', order)
-- Both keys are made by the first message (again after the last one kept was unsent): they take the room's
-- expiry then, once.
if kept == 1 then expire_at(exp, said, order) end
while kept > tonumber(ARGV[5]) do
  forget_message(ARGV[1], redis.call('ZRANGE', order, 0, 0)[1])
  kept = kept - 1
end
return {'ok', participant, kind_mode[1], kind_mode[2] or false}
