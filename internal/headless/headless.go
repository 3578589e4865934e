// Package headless starts the headless Chromium that the browser tests
// drive (chromedp): the up-down game's on every model, and netbench ui's
// page. It is for tests only.
package headless

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Env says whether the browser tests run: "required" (make browser-test,
// CI) fails without a browser; "auto" skips then; unset skips, so that a
// plain go test needs no browser.
const Env = "NETMODELS_BROWSER"

// Start starts Chromium with a window of width × height and more options,
// or skips (or fails) the test as Env says; the browser ends with the
// test.
func Start(t *testing.T, width, height int, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	mode := os.Getenv(Env)
	if mode == "" {
		t.Skip(Env + " is unset: the browser tests run with make browser-test")
	}
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		if mode == "required" {
			t.Fatal("no chromium on PATH, and " + Env + "=required")
		}
		t.Skip("no chromium on PATH")
	}
	all := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(width, height))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), append(all, opts...)...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	return bctx
}
