package js_test

import "testing"

// Errors suggest the name meant, refuse payload fields the method does
// not describe (unless told not to), and say a timeout's limit.
func TestErrorsThatHelp(t *testing.T) {
	expect(t, `
function show(f) {
  try { console.log(JSON.stringify(f())) } catch (e) { console.log(e.code, e.message) }
}
show(() => call("echo", "add", {a: 1, b: 2}))
show(() => call("ecoh", "Add", {a: 1, b: 2}))
show(() => call("echo", "Frobnicate"))
show(() => call("zzzzzz", "Add"))
show(() => call("echo", "Add", {a: 1, bb: 2}))
show(() => call("echo", "Add", {A: 1, b: 2}))
show(() => call("echo", "Add", {a: 1, b: 2, zzz: 3}, {checkFields: false}))
show(() => call("echo", "Echo", {anything: 1}))
show(() => call("echo", "Hang", null, {timeout: 25}))
show(() => call("echo", "Add", 1, {timeuot: 5}))
show(() => call(1, "Add"))
show(() => call("echo", 2.5))
`, `method_not_found echo.add: method not found; did you mean Add?
not_connected ecoh.Add: plugin not connected; did you mean echo?
method_not_found echo.Frobnicate: method not found
not_connected zzzzzz.Add: plugin not connected
bad_argument echo.Add: unknown field "bb" (did you mean "b"?)
3
3
{"anything":1}
timeout echo.Hang: timed out after 25ms
bad_argument echo.Add: bad argument: options: unknown field "timeuot" (did you mean "timeout"?)
bad_argument bad argument: plugin must be a string, not number
bad_argument bad argument: method must be a string, not number
`)
}
