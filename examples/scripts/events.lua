-- events.lua: the Lua twin of events.js. Lua has no promises: the jobs run
-- one after the other inside the connect handler, and the progress reports
-- are shown as they arrive (sleep runs the handlers while it waits). exit()
-- ends the script; serve() keeps it alive until then.
--
--     go run ./host run examples/scripts/events.lua

local lastStep = {}

onAsync(function(name, p)
  print(string.format("  %s: %s %d/%d", name, p.job, p.step, p.of))
  if p.step == p.of then lastStep[p.job] = true end
end)

onConnect(function(info)
  local names = {}
  for name in pairs(info.functions or {}) do names[#names + 1] = name end
  table.sort(names)
  print(info.name .. " " .. info.version .. " connected, serving " .. table.concat(names, ", "))
  if info.name ~= "progress" then return end
  for _, job in ipairs({ "fetch", "build" }) do
    local r = call("progress", "Run", { job = job, steps = 3, delay_ms = 30 })
    -- The reports were sent before the answer; let their handler run.
    local deadline = os.time() + 10
    while not lastStep[job] and os.time() <= deadline do sleep(5) end
    print(r.job .. ": answered after " .. r.steps .. " steps")
  end
  print("all jobs done")
  exit(0)
end)

spawn("examples/plugins/progress")
serve()
