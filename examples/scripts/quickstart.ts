/// <reference path="./switchboard.d.ts" />
// quickstart.ts: the tour of quickstart.js in TypeScript. From the root of
// the repository:
//
//     go run ./host run examples/scripts/quickstart.ts
//
// switchboard compiles it in the host (no Node, no tsc at run time) and
// runs it as it runs JavaScript; errors name this file's lines. The types
// come from switchboard.d.ts beside it, written by
//
//     go run ./host types -spawn examples/plugins/echo -spawn examples/plugins/kv \
//       -spawn examples/plugins/progress -spawn examples/plugins/chaos \
//       -wait echo -wait kv -wait progress -wait chaos -o examples/scripts/switchboard.d.ts
//
// so that tsc (examples/scripts/typecheck) checks every call's plugin,
// method, payload and result: call("echo", "Upper", { txt: 1 }) is an error.
import { until } from "./lib/until";

type Name = Switchboard.PluginName;
const plugins: Name[] = ["echo", "progress", "kv", "chaos"];

onConnect((info) => console.log(`+ ${info.name} ${info.version} connected`));
onDisconnect((info, graceful) =>
  console.log(`- ${info.name} disconnected (${graceful ? "stopped" : "crashed"})`));

for (const name of plugins) spawn(`examples/plugins/${name}`);
for (const name of plugins) {
  if (!waitFor(name, "60s")) throw new Error(`${name} did not connect`);
}

// One plugin, one method: the result is typed ({ text: string }).
const upper = call("echo", "Upper", { text: "hello, switchboard" });
console.log("echo.Upper:", upper.text);

// Calls in parallel, awaited at the top level.
const [rev, keys] = await Promise.all([
  callAsync("echo", "Reverse", { text: "stressed" }),
  callAsync("kv", "Keys"),
]);
console.log("echo.Reverse:", rev.text, "| kv.Keys before:", JSON.stringify(keys));

// A key-value store that outlives the calls.
call("kv", "Set", { key: "answer", value: 42 });
call("kv", "Set", { key: "plugins", value: plugins });
const got: Switchboard.Output<"kv", "Get"> = call("kv", "Get", { key: "answer" });
console.log("kv.Get answer:", got.found ? got.value : "(none)");
console.log("kv.Keys:", JSON.stringify(call("kv", "Keys")));

// Broadcast: every plugin gets the request; those without the method fail.
const b = broadcast<{ text: string }>("Echo", { text: "anyone there?" });
console.log("broadcast Echo results:", JSON.stringify(b.results));
console.log("broadcast Echo errors from:", Object.keys(b.errors).sort().join(", "));

// Async values: the progress plugin reports every step before it answers.
interface Step {
  job: string;
  step: number;
  of: number;
}
let steps = 0;
const off = onAsync((name, p: Step) => {
  if (name !== "progress") return;
  console.log(`progress: ${p.job} step ${p.step}/${p.of}`);
  steps = p.step;
});
const result = call("progress", "Run", { job: "build", steps: 3, delay_ms: 20 });
until("the progress reports", () => steps === 3);
off();
console.log("progress.Run:", JSON.stringify(result));

// Failures throw a Switchboard.CallError, with the plugin, method and code.
type Trouble = "Fail" | "Panic" | "Hang";
function provoke(t: Trouble): void {
  switch (t) {
    case "Fail":
      call("chaos", "Fail", { message: "on purpose" });
      return;
    case "Panic":
      call("chaos", "Panic", { message: "on purpose" });
      return;
    case "Hang":
      call("chaos", "Hang", { ms: 0 }, { timeout: 100 });
  }
}
for (const t of ["Fail", "Panic", "Hang"] as const) {
  try {
    provoke(t);
  } catch (e) {
    const err = e as Switchboard.CallError;
    console.log(`chaos.${t} threw (${err.code}): ${err.message}`);
  }
}

// A graceful disconnect, then a crash.
const gone: Record<string, boolean> = {};
const offGone = onDisconnect((info, graceful) => {
  gone[info.name] = graceful;
});
unplug("kv");
until("kv to go", () => "kv" in gone);
console.log("kv unplugged, graceful:", gone.kv);
try {
  call("chaos", "Crash", { code: 3 });
} catch (e) {
  console.log(`chaos.Crash threw (${(e as Switchboard.CallError).code})`);
}
until("chaos to go", () => "chaos" in gone);
console.log("chaos crashed, graceful:", gone.chaos);
offGone();

console.log("still connected:", Object.keys(connected()).sort().join(", "));
console.log("done: the host stops the plugins it spawned");
