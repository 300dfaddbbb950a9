-- Shared by every script (prepended by ephemeral/redis_rooms.py).
-- Time is the Redis server's, so processes on several machines agree on expiry.
-- Keys of room R: eph:room:R (name, hash, exp; a server-blind room keeps mode
-- "e2e", kdf and name_ct instead of a name), :members (token hash -> the
-- participant as JSON, made by the caller: id, alias, role), :aliases (look-alike
-- key -> token hash; one or two keys per participant), :online (token hash ->
-- open sockets), :sockets (sid -> "token-hash process"), :ids (every participant
-- id ever given out in the room), :connects (token hash -> "tokens ms": the
-- binding's connect bucket, ephemeral/connect_limit.py).
-- All carry the room's expiry.
local P = 'eph:'
local EXPIRIES = P .. 'expiries'  -- zset: room id -> expiry (ms)
local PROCS = P .. 'procs'        -- zset: process id -> last heartbeat (ms)

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function room_keys(id)
  local r = P .. 'room:' .. id
  return r, r .. ':members', r .. ':aliases', r .. ':online', r .. ':sockets', r .. ':ids', r .. ':connects'
end

-- What a member learns of the room: {name, kdf, name_ct}, false where not kept (redis_codec.titled).
local function title(room)
  return redis.call('HMGET', room, 'name', 'kdf', 'name_ct')
end

-- The live-room cap, decided here only: create.lua and the cheap check before hashing.
local function at_capacity(max_rooms)
  return redis.call('ZCOUNT', EXPIRIES, '(' .. now_ms(), '+inf') >= tonumber(max_rooms)
end

-- Seat a participant (JSON) under a fresh id with its alias keys (a JSON list,
-- made by the caller); false if the id was ever used here.
local function seat(members, aliases, ids, token, alias_keys, id, participant)
  if redis.call('SADD', ids, id) == 0 then return false end
  redis.call('HSET', members, token, participant)
  for _, key in ipairs(cjson.decode(alias_keys)) do redis.call('HSET', aliases, key, token) end
  return true
end

-- True when a member holds any of these alias keys (a JSON list): the aliases look alike.
local function alias_taken(aliases, alias_keys)
  for _, key in ipairs(cjson.decode(alias_keys)) do
    if redis.call('HEXISTS', aliases, key) == 1 then return true end
  end
  return false
end

-- zset: the rooms where a process has sockets, scored by their expiry, so no
-- room id outlives its room (heartbeats prune, purges remove).
local function proc_rooms(proc)
  return P .. 'proc:' .. proc .. ':rooms'
end

-- The room's expiry if it is still alive, else nil: past its time it is gone.
local function live_exp(room, now)
  local exp = tonumber(redis.call('HGET', room, 'exp'))
  if exp and exp > now then return exp end
  return nil
end

local function expire_at(exp, ...)
  for _, key in ipairs({...}) do redis.call('PEXPIREAT', key, exp) end
end

-- Extend a key's life to at least exp (a process's room list outlives its rooms).
local function expire_at_least(key, exp, now)
  local left = redis.call('PTTL', key)
  if left < 0 or now + left < exp then redis.call('PEXPIREAT', key, exp) end
end

local function split(value)
  local token, proc = string.match(value, '^(%S+) (%S+)$')
  return token, proc
end

-- Participants (JSON) with at least one open socket.
local function presence(members, online)
  local out = {}
  for _, token in ipairs(redis.call('HKEYS', online)) do
    local participant = redis.call('HGET', members, token)
    if participant then out[#out + 1] = participant end
  end
  return out
end

-- A socket of this binding connects: take a token from its bucket ("tokens ms"), which
-- lives as long as the room (exp). 0 when taken, else whole seconds until one is there.
local function take_connect(connects, token, burst, per_ms, now, exp)
  local tokens = burst
  local raw = redis.call('HGET', connects, token)
  if raw then
    local left, stamp = string.match(raw, '^(%S+) (%S+)$')
    tokens = math.min(burst, tonumber(left) + math.max(0, now - tonumber(stamp)) * per_ms)
  end
  local wait = 0
  if tokens < 1 then
    wait = math.max(1, math.ceil((1 - tokens) / per_ms / 1000))
  else
    tokens = tokens - 1
  end
  redis.call('HSET', connects, token, string.format('%.17g %d', tokens, now))
  redis.call('PEXPIREAT', connects, exp)
  return wait
end

-- Drop one socket; true when its participant has no socket left.
local function drop_socket(online, sockets, sid, token)
  redis.call('HDEL', sockets, sid)
  if redis.call('HINCRBY', online, token, -1) <= 0 then
    redis.call('HDEL', online, token)
    return true
  end
  return false
end

local function delete_room(id)
  local room, members, aliases, online, sockets, ids, connects = room_keys(id)
  local entries = redis.call('HVALS', sockets)
  for _, value in ipairs(entries) do
    local _, proc = split(value)
    if proc then redis.call('ZREM', proc_rooms(proc), id) end
  end
  redis.call('DEL', room, members, aliases, online, sockets, ids, connects)
  redis.call('ZREM', EXPIRIES, id)
end

-- Forget every socket a process held; returns {room id, presence} per room whose presence changed.
local function forget_process(proc)
  local changes = {}
  local now = now_ms()
  local list = proc_rooms(proc)
  for _, id in ipairs(redis.call('ZRANGE', list, 0, -1)) do
    local room, members, _, online, sockets = room_keys(id)
    local changed = false
    local entries = redis.call('HGETALL', sockets)
    for i = 1, #entries, 2 do
      local token, owner = split(entries[i + 1])
      if owner == proc and drop_socket(online, sockets, entries[i], token) then changed = true end
    end
    if changed and live_exp(room, now) then changes[#changes + 1] = {id, presence(members, online)} end
  end
  redis.call('DEL', list)
  redis.call('ZREM', PROCS, proc)
  return changes
end
