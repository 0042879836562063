-- quickstart.lua: the Lua twin of quickstart.js. From the root of the
-- repository:
--
--     go run ./host run examples/scripts/quickstart.lua
--
-- The example plugins are Go package directories: switchboard builds each
-- with `go build` first (and says so). Lua has no promises: where the
-- JavaScript version awaits, this one lets sleep() run the event handlers
-- until the event it waits for has come (see `await` below).

local plugins = { "echo", "progress", "kv", "chaos" }

onConnect(function(info) print("+ " .. info.name .. " " .. info.version .. " connected") end)
onDisconnect(function(info, graceful)
  print("- " .. info.name .. " disconnected (" .. (graceful and "stopped" or "crashed") .. ")")
end)

for _, name in ipairs(plugins) do spawn("examples/plugins/" .. name) end
for _, name in ipairs(plugins) do
  if not waitFor(name, "30s") then error(name .. " did not connect") end
end

-- await runs event handlers until done() is true, for at most seconds.
local function await(what, done, seconds)
  local deadline = os.time() + (seconds or 10)
  while not done() do
    if os.time() > deadline then error("timed out waiting for " .. what) end
    sleep(10)
  end
end

-- One plugin, one method: the result is a table.
print("echo.Upper: " .. call("echo", "Upper", { text = "hello, switchboard" }).text)
print("echo.Reverse: " .. call("echo", "Reverse", { text = "stressed" }).text)

-- A key-value store that outlives the calls.
call("kv", "Set", { key = "answer", value = 42 })
call("kv", "Set", { key = "plugins", value = plugins })
print("kv.Get answer: " .. call("kv", "Get", { key = "answer" }).value)
print("kv.Keys: " .. json.encode(call("kv", "Keys")))

-- Broadcast: every plugin gets the request; those without the method fail.
local b = broadcast("Echo", { text = "anyone there?" })
print("broadcast Echo results: " .. json.encode(b.results))
local failed = {}
for name in pairs(b.errors) do failed[#failed + 1] = name end
table.sort(failed)
print("broadcast Echo errors from: " .. table.concat(failed, ", "))

-- Async values: the progress plugin reports every step before it answers.
local steps = 0
local off = onAsync(function(name, p)
  if name ~= "progress" then return end
  print(string.format("progress: %s step %d/%d", p.job, p.step, p.of))
  steps = p.step
end)
local result = call("progress", "Run", { job = "build", steps = 3, delay_ms = 20 })
await("the progress reports", function() return steps == 3 end)
off()
print("progress.Run: " .. json.encode(result))

-- Failures raise errors that name the plugin and the method.
for _, case in ipairs({
  { "Fail", { message = "on purpose" } },
  { "Panic", { message = "on purpose" } },
  { "Hang", { ms = 0 }, { timeout = 100 } },
}) do
  local ok, err = pcall(call, "chaos", case[1], case[2], case[3])
  print(string.format("chaos.%s failed: %s", case[1], tostring(err)))
end

-- A graceful disconnect, then a crash.
local gone = {}
local offGone = onDisconnect(function(info, graceful) gone[info.name] = graceful end)
unplug("kv")
await("kv to go", function() return gone.kv ~= nil end)
print("kv unplugged, graceful: " .. tostring(gone.kv))
local ok = pcall(call, "chaos", "Crash", { code = 3 })
await("chaos to go", function() return gone.chaos ~= nil end)
print("chaos crashed, graceful: " .. tostring(gone.chaos))
offGone()

local names = {}
for name in pairs(connected()) do names[#names + 1] = name end
table.sort(names)
print("still connected: " .. table.concat(names, ", "))
print("done: the host stops the plugins it spawned")
