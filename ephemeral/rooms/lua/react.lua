#!lua flags=allow-oom
-- allow-oom: a full Redis refuses new rooms, people and sockets, but the rooms open go on talking. What this
-- adds is bounded: the room's last MESSAGES_KEPT ids, and per id at most one reaction per emoji per participant.
-- ARGV: id, token hash, message id ('' for what cannot be one), emoji ('' for one that is not a reaction).
-- Any participant of the room toggles their reaction on a kept message ('not_a_reaction', 'invalid' for a
-- message not kept); returns the message's reactions as JSON {emoji: [participant ids, in the order they reacted]}.
local room, members = room_keys(ARGV[1])
local participant, exp = sender(room, members, ARGV[2], now_ms())
if not participant then return {'unauthorized'} end
if ARGV[4] == '' then return {'not_a_reaction'} end
local said, _, reactions = message_keys(ARGV[1])
if ARGV[3] == '' or redis.call('HEXISTS', said, ARGV[3]) == 0 then return {'invalid'} end
local raw = redis.call('HGET', reactions, ARGV[3])
local all = raw and cjson.decode(raw) or {}
local who, kept, had = cjson.decode(participant).id, {}, false
for _, id in ipairs(all[ARGV[4]] or {}) do
  if id == who then had = true else kept[#kept + 1] = id end
end
if not had then kept[#kept + 1] = who end
all[ARGV[4]] = #kept > 0 and kept or nil
if next(all) == nil then
  redis.call('HDEL', reactions, ARGV[3])
  return {'ok', '{}'}
end
local encoded = cjson.encode(all)
redis.call('HSET', reactions, ARGV[3], encoded)
redis.call('PEXPIREAT', reactions, exp)
return {'ok', encoded}
