-- ARGV: id, token hash, the newcomer's participant id, then a message id and its author's participant id for
-- each message offered. The binding's participant hands the newcomer history: 'forbidden' unless the room
-- chose history from peers, 'invalid' unless someone else of the room with an open socket has that id.
-- Reads only. Answers the sharer, the room's title, the newcomer's sockets on every process, and per message
-- 1 when the room keeps that id as that author's (0: unsent, forgotten, or someone else's).
local room, members, _, _, sockets = room_keys(ARGV[1])
local participant = sender(room, members, ARGV[2], now_ms())
if not participant then return {'unauthorized'} end
if state(room)[8] ~= '1' then return {'forbidden'} end
local newcomer = find_id(roster(members), ARGV[3])
if not newcomer or newcomer[2].id == cjson.decode(participant).id then return {'invalid'} end
local sids = {}
local entries = redis.call('HGETALL', sockets)
for i = 1, #entries, 2 do
  if split(entries[i + 1]) == newcomer[1] then sids[#sids + 1] = entries[i] end
end
if #sids == 0 then return {'invalid'} end
local kept = {}
if #ARGV > 3 then
  local ids, authors = {}, {}
  for i = 4, #ARGV, 2 do
    ids[#ids + 1], authors[#authors + 1] = ARGV[i], ARGV[i + 1]
  end
  local said = redis.call('HMGET', message_keys(ARGV[1]), unpack(ids))
  for i = 1, #ids do kept[i] = said[i] == authors[i] and 1 or 0 end
end
return {'ok', participant, title(room), sids, kept}
