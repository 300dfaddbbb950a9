-- ARGV: id, token hash, the offering socket's sid. The binding's participant offers the room a file:
-- 'forbidden' for a member of a broadcast room, who cannot send. Reads only: a file is never recorded.
-- Answers who offers it, the room's title, and every socket of the room but the offering one, on every process.
local room, members, _, _, sockets = room_keys(ARGV[1])
local participant = sender(room, members, ARGV[2], now_ms())
if not participant then return {'unauthorized'} end
if state(room)[1] == 'broadcast' and cjson.decode(participant).role ~= HOST then return {'forbidden'} end
local sids = {}
for _, sid in ipairs(redis.call('HKEYS', sockets)) do
  if sid ~= ARGV[3] then sids[#sids + 1] = sid end
end
return {'ok', participant, title(room), sids}
