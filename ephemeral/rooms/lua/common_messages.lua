-- Shared by the message scripts (speak, edit, unsend, react), after common.lua (ephemeral/rooms/redis_base.py
-- prepends both to every script). Who said which message id, and the reactions: ids, never text.

-- A message is forgotten (unsent, or the oldest past the cap): its author and reactions with it.
local function forget_message(id, message_id)
  local said, order, reactions = message_keys(id)
  redis.call('HDEL', said, message_id)
  redis.call('ZREM', order, message_id)
  redis.call('HDEL', reactions, message_id)
end

-- The participant (JSON) behind a token hash, if the room and the binding live; and the room's expiry.
local function sender(room, members, token, now)
  local exp = live_exp(room, now)
  return exp and redis.call('HGET', members, token), exp
end

-- Whether the binding behind a token wrote that kept message (edit, unsend): 'ok' and the participant
-- (JSON), 'unauthorized' (no live binding) or 'forbidden' (another's, forgotten or unsent).
local function author_call(id, token, message_id, now)
  local room, members = room_keys(id)
  local participant = sender(room, members, token, now)
  if not participant then return 'unauthorized' end
  local said = message_keys(id)
  if message_id == '' or redis.call('HGET', said, message_id) ~= cjson.decode(participant).id then
    return 'forbidden'
  end
  return 'ok', participant
end
