package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromium returns the path of Debian's chromium, or skips the test when it
// is missing (.ci/run installs it, so CI runs the test).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("chromium is not installed (apt-get install chromium; .ci/run does): the browser test skips")
	return ""
}

// browser starts a headless chromium for the test with a fresh profile and
// no background network, and returns a context for its first tab; the
// browser ends with the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*monitorDeadline)
	t.Cleanup(func() {
		cancelTime()
		cancel()
		cancelAlloc()
	})
	return ctx
}

// screenshot saves the page as name.png under the test's temporary
// directory (and under $SWITCHBOARD_SCREENSHOTS when set, to look at it).
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	for _, d := range []string{dir, os.Getenv("SWITCHBOARD_SCREENSHOTS")} {
		if d == "" {
			continue
		}
		path := filepath.Join(d, name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
}

// TestLivePageInBrowser loads the monitor's page in a real headless
// chromium while a workflow runs: a plugin that connects after the load
// appears without a reload, and so does a failing call; screenshots of a
// wide and a phone-sized window are written under the test's temporary
// directory.
func TestLivePageInBrowser(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	sockPath := filepath.Join(dir, "sb.sock")
	script := filepath.Join(dir, "wf.js")
	src := `
call("echo", "Upper", {text: "before the gate"});
onAsync(() => {});
if (!waitFor("gate", "20s")) throw new Error("no gate");
try { call("gate", "Fail", {}); } catch (e) { console.log(e.code); }
console.log(call("gate", "Hold", {}));
`
	if err := os.WriteFile(script, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startRun(t, "run", "-listen", "unix:"+sockPath, "-http", "127.0.0.1:0",
		"-spawn", filepath.Join(pluginDir, "echo"), "-wait", "echo", script)
	base := h.monitorURL()

	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#status.live`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-plugin="echo"]`)),
	); err != nil {
		t.Fatalf("loading the page: %v; stderr:\n%s", err, h.stderr)
	}
	// The page is loaded and live; the gate connects now, and the
	// script's failing call follows. Neither needs a reload.
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-plugin="gate"]').length`)); err != nil || n != 0 {
		t.Fatalf("gate on the page before it connected: %d, %v", n, err)
	}
	g := connectGate(t, sockPath)
	recvOn(t, g.held, "the script to call gate.Hold")
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`[data-plugin="gate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#calls tr[data-outcome="remote"][data-call="gate.Fail"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#events li[data-kind="connect"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#methods tr[data-call="gate.Fail"]`)),
	); err != nil {
		t.Fatalf("the page did not show the new plugin and the failed call: %v", err)
	}
	sig, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-plugin="echo"] li`)))
	if err != nil || sig != "Echo({text: string}) → {text: string}" {
		t.Errorf("gate's first method shows as %q (%v), want its signature", sig, err)
	}
	errs, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#methods tr[data-call="gate.Fail"] td.errors`)))
	if err != nil || errs != "remote=1" {
		t.Errorf("gate.Fail's errors by method show as %q (%v), want remote=1", errs, err)
	}
	reloads, err := chromedp.Run(ctx, chromedp.Evaluate[int](`performance.getEntriesByType("navigation").length`))
	if err != nil || reloads != 1 {
		t.Errorf("navigations %d (%v): the page reloaded", reloads, err)
	}
	screenshot(t, ctx, dir, "monitor-wide")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	// A phone-sized window gets one column: nothing wider than the screen.
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || wide {
		t.Errorf("the page is wider than a phone's screen (%v)", err)
	}
	screenshot(t, ctx, dir, "monitor-phone")

	close(g.open)
	if code := h.wait(); code != 0 {
		t.Fatalf("run exited %d; stderr:\n%s", code, h.stderr)
	}
}
