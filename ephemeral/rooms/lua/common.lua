-- Shared by every script (prepended by ephemeral/rooms/redis_base.py).
-- Time is the Redis server's, so processes on several machines agree on expiry.
-- Keys of room R: eph:room:R (name, hash, exp; a server-blind room keeps mode
-- "e2e", kdf and name_ct instead of a name; the rules: kind, purge, ttl (ms),
-- seats; locked "0"/"1"; joins: the join counter), :members (token hash -> the
-- participant as JSON: id, alias, role made by the caller, and n, its place in
-- the join order), :aliases (look-alike key -> token hash; one or two keys per
-- participant), :online (token hash -> open sockets), :sockets (sid -> "token-hash
-- process"), :ids (every participant id ever given out in the room), :connects
-- (token hash -> "tokens ms": the binding's connect bucket,
-- ephemeral/connect_limit.py), :reports (reason -> count, once reported), and who said what,
-- never text (`message_keys`). All carry the room's expiry.
local P = 'eph:'
local EXPIRIES = P .. 'expiries'  -- zset: room id -> expiry (ms)
local PROCS = P .. 'procs'        -- zset: process id -> last heartbeat (ms)
-- zset: room id -> since when (ms) its present people have had no present host (`note_hosting`).
local HOSTLESS = P .. 'hostless'
local REPORTED = P .. 'reported'  -- zset: room id -> reports made, for the operator
local HOST = 'host'

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function room_keys(id)
  local r = P .. 'room:' .. id
  return r, r .. ':members', r .. ':aliases', r .. ':online', r .. ':sockets', r .. ':ids', r .. ':connects',
    r .. ':reports'
end

-- A room's messages, ids and never text: :said (message id -> its author's participant id), :order
-- (zset: message id -> its place, from the room's `said` counter; the oldest is forgotten past the
-- cap), :reactions (message id -> JSON {emoji: [participant ids, in the order they reacted]}).
local function message_keys(id)
  local r = P .. 'room:' .. id
  return r .. ':said', r .. ':order', r .. ':reactions'
end

-- What a member learns of the room: {name, kdf, name_ct}, false where not kept (redis_codec.titled).
local function title(room)
  return redis.call('HMGET', room, 'name', 'kdf', 'name_ct')
end

-- What everyone in the room is told of it: {kind, purge, locked, ttl ms, seats, disappear, vanish, history}
-- (redis_codec.state).
local function state(room)
  return redis.call('HMGET', room, 'kind', 'purge', 'locked', 'ttl', 'seats', 'disappear', 'vanish', 'history')
end

-- The live-room cap, decided here only: create.lua and the cheap check before hashing.
local function at_capacity(max_rooms)
  return redis.call('ZCOUNT', EXPIRIES, '(' .. now_ms(), '+inf') >= tonumber(max_rooms)
end

-- Seat a participant (JSON, made by the caller) under a fresh id with its alias keys (a JSON
-- list, made by the caller), next in the room's join order; false if the id was ever used here.
local function seat(room, members, aliases, ids, token, alias_keys, id, participant)
  if redis.call('SADD', ids, id) == 0 then return false end
  local seated = cjson.decode(participant)
  seated.n = redis.call('HINCRBY', room, 'joins', 1)
  redis.call('HSET', members, token, cjson.encode(seated))
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
  local room, members, aliases, online, sockets, ids, connects, reports = room_keys(id)
  local entries = redis.call('HVALS', sockets)
  for _, value in ipairs(entries) do
    local _, proc = split(value)
    if proc then redis.call('ZREM', proc_rooms(proc), id) end
  end
  redis.call('DEL', room, members, aliases, online, sockets, ids, connects, reports, message_keys(id))
  redis.call('ZREM', EXPIRIES, id)
  redis.call('ZREM', HOSTLESS, id)
  redis.call('ZREM', REPORTED, id)
end

-- Whether anyone is present, and whether a host is among them.
local function present_hosting(members, online)
  local anyone = false
  for _, token in ipairs(redis.call('HKEYS', online)) do
    local participant = redis.call('HGET', members, token)
    if participant then
      if cjson.decode(participant).role == HOST then return true, true end
      anyone = true
    end
  end
  return anyone, false
end

-- Keep the room's hostless stamp true: present people without a present host stamp it (the
-- first time only, so the grace runs from then); anything else clears it. Every script that
-- changes presence or roles calls this; hand_over_due.lua promotes once the grace has run.
local function note_hosting(id, members, online, now)
  local anyone, hosted = present_hosting(members, online)
  if anyone and not hosted then
    redis.call('ZADD', HOSTLESS, 'NX', now, id)
  else
    redis.call('ZREM', HOSTLESS, id)
  end
end

-- Every binding as {token hash, participant (table)}, earliest joined first.
local function roster(members)
  local people = {}
  local entries = redis.call('HGETALL', members)
  for i = 1, #entries, 2 do people[#people + 1] = {entries[i], cjson.decode(entries[i + 1])} end
  table.sort(people, function(a, b) return (a[2].n or 0) < (b[2].n or 0) end)
  return people
end

-- The earliest-joined binding of `people` other than `except`, present ones only if asked; nil if none.
local function earliest(people, online, present_only, except)
  for _, entry in ipairs(people) do
    if entry[1] ~= except and (not present_only or redis.call('HEXISTS', online, entry[1]) == 1) then
      return entry
    end
  end
  return nil
end

local function set_role(members, entry, role)
  entry[2].role = role
  redis.call('HSET', members, entry[1], cjson.encode(entry[2]))
end

-- The binding with this participant id (an entry of `roster`), or nil.
local function find_id(people, id)
  for _, entry in ipairs(people) do
    if entry[2].id == id then return entry end
  end
  return nil
end

-- The binding behind a host's socket: 'ok' and its roster entry, 'unauthorized' (no live binding)
-- or 'forbidden' (a member); the room's roster comes along for the caller to act on.
local function host_call(room, members, token, now)
  if not live_exp(room, now) or redis.call('HEXISTS', members, token) == 0 then return 'unauthorized' end
  local people = roster(members)
  for _, entry in ipairs(people) do
    if entry[1] == token then
      if entry[2].role ~= HOST then return 'forbidden' end
      return 'ok', entry, people
    end
  end
  return 'unauthorized'
end

-- The room has no host binding left (its last one left or stepped down): the earliest-joined
-- present binding becomes host, else the earliest-joined of all. True when someone did.
local function hand_over(members, online)
  local people = roster(members)
  for _, entry in ipairs(people) do
    if entry[2].role == HOST then return false end
  end
  local heir = earliest(people, online, true) or earliest(people, online, false)
  if not heir then return false end
  set_role(members, heir, HOST)
  return true
end

-- Destroy a binding as on logout: its alias is free, its connect bucket gone, its sockets on
-- every process dropped. Returns those sockets and whether it was present; nil if it was not here.
local function unbind(id, token)
  local _, members, aliases, online, sockets, _, connects = room_keys(id)
  if redis.call('HDEL', members, token) == 0 then return nil end
  redis.call('HDEL', connects, token)
  local names = redis.call('HGETALL', aliases)
  for i = 1, #names, 2 do
    if names[i + 1] == token then redis.call('HDEL', aliases, names[i]) end
  end
  local sids = {}
  local entries = redis.call('HGETALL', sockets)
  for i = 1, #entries, 2 do
    if split(entries[i + 1]) == token then
      sids[#sids + 1] = entries[i]
      redis.call('HDEL', sockets, entries[i])
    end
  end
  return sids, redis.call('HDEL', online, token) == 1
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
    if changed and live_exp(room, now) then
      note_hosting(id, members, online, now)
      changes[#changes + 1] = {id, presence(members, online)}
    end
  end
  redis.call('DEL', list)
  redis.call('ZREM', PROCS, proc)
  return changes
end
