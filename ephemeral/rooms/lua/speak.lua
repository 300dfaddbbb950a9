#!lua flags=allow-oom
-- allow-oom: a full Redis refuses new rooms, people and sockets, but the rooms open go on talking. What this
-- adds is bounded: the room's last MESSAGES_KEPT ids, and per id at most one reaction per emoji per participant.
-- ARGV: id, token hash, message id (made by the caller), '' or '=' .. the id it replies to ('=' alone: an
-- id no message has), messages kept. The binding's participant sends a message: 'forbidden' for a member
-- of a broadcast room, 'invalid' for a reply to a message the room does not keep. Records message id ->
-- author id, forgetting the oldest message past the cap. The message path's one call: it answers who spoke.
local room, members = room_keys(ARGV[1])
local participant, exp = sender(room, members, ARGV[2], now_ms())
if not participant then return {'unauthorized'} end
local you, rules = cjson.decode(participant), state(room)
if rules[1] == 'broadcast' and you.role ~= HOST then return {'forbidden'} end
local said, order = message_keys(ARGV[1])
if ARGV[4] ~= '' then
  local target = string.sub(ARGV[4], 2)
  if target == '' or redis.call('HEXISTS', said, target) == 0 then return {'invalid'} end
end
redis.call('HSET', said, ARGV[3], you.id)
redis.call('ZADD', order, redis.call('HINCRBY', room, 'said', 1), ARGV[3])
while redis.call('ZCARD', order) > tonumber(ARGV[5]) do
  forget_message(ARGV[1], redis.call('ZRANGE', order, 0, 0)[1])
end
expire_at(exp, said, order)
return {'ok', participant, title(room), rules}
