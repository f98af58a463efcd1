//go:build browser

package observer_test

// The real browser test: the page of a running system in headless
// Chromium. Run it with `make test-browser` (it needs the chromium binary;
// BROWSER overrides its path). Screenshots go to testoutput/ (gitignored).

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/observer"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// browserPath finds Chromium: $BROWSER, else chromium on PATH.
func browserPath(t *testing.T) string {
	if p := os.Getenv("BROWSER"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	require.NoError(t, err, "the browser test needs Chromium: apt-get install chromium, or set BROWSER")
	return p
}

// showcase spawns the tree the page is shown with: a supervisor app
// (every restart waits on a backoff, so a restart can be watched), with
// workers db and cache and a dynamic pool of five jobs, and a process
// stuck on a message with a backlog behind it. release unblocks it.
func showcase(t *testing.T, sys *system.System) (app actor.PID, release func()) {
	t.Helper()
	ctx := context.Background()
	app, err := sys.Spawn(supervisor.New(supervisor.Spec{Intensity: supervisor.NoRestarts, Period: time.Minute,
		Escalation: supervisor.Backoff{Base: 2 * time.Second, Max: 2 * time.Second}},
		supervisor.Child{ID: "db", Start: workerProps()},
		supervisor.Child{ID: "cache", Start: workerProps(), Restart: supervisor.Transient},
		supervisor.Child{ID: "pool", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
			return supervisor.New(supervisor.Spec{Strategy: supervisor.SimpleOneForOne},
				supervisor.Child{ID: "job", Start: workerProps()})
		})},
	), actor.WithName("app"))
	require.NoError(t, err)
	pool := childPIDs(t, sys, app)["pool"]
	for range 5 {
		_, err := supervisor.StartChildWith(ctx, sys, pool)
		require.NoError(t, err)
	}
	gate := make(chan struct{})
	entered := make(chan struct{})
	queue, err := sys.Spawn(actor.Func(func(_ actor.Context, msg any) {
		if msg == "block" {
			close(entered)
			<-gate
		}
	}), actor.WithName("ingest"), actor.WithMailbox(64, mailbox.Backpressure))
	require.NoError(t, err)
	require.NoError(t, sys.Send(queue, "block"))
	<-entered
	for i := range 40 {
		require.NoError(t, sys.Send(queue, i))
	}
	return app, func() { close(gate) }
}

// The page renders the tree of a running system; a child that crashes is
// shown restarting, then running again, with its restart counted.
func TestBrowserShowsRestart(t *testing.T) {
	sys := system.New()
	app, release := showcase(t, sys)
	mux := http.NewServeMux()
	mux.Handle("/debug/rt/", observer.Handler(sys, observer.WithInterval(100*time.Millisecond), observer.WithActions()))
	srv := httptest.NewServer(mux)
	defer func() {
		release()
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		require.NoError(t, sys.Shutdown(ctx))
	}()

	out := "testoutput"
	require.NoError(t, os.MkdirAll(out, 0o755))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browserPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 860),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			buf, err := chromedp.CaptureScreenshot()(ctx, t)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(out, name), buf, 0o644)
		})
	}
	visible := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	cache := `li[data-id="cache"]`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/debug/rt/"),
		visible(`#conn.live`),
		visible(`li[data-id="db"][data-state="running"]`),
		visible(cache+`[data-state="running"]`),
		visible(`li[data-id="job"]`),
		visible(`#procs tbody tr`),
		shot("observer-running.png"),
	))
	jobs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('li[data-id="job"]').length`))
	require.NoError(t, err)
	require.Equal(t, 5, jobs, "the pool's five jobs are in the tree")
	// Values are read in one script each: the page re-renders on every
	// update, so a node found by one call may be gone by the next.
	top, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#procs tbody tr:first-child td:nth-child(4)').textContent`))
	require.NoError(t, err)
	require.Equal(t, "40/64", top, "the table is sorted by mailbox length, the backlog first")

	old := childPIDs(t, sys, app)["cache"]
	require.NoError(t, sys.Send(old, crash{errors.New("connection reset")}))
	require.NoError(t, chromedp.Do(ctx,
		visible(cache+`[data-state="restarting"]`),
		shot("observer-restarting.png"),
		visible(cache+`[data-state="running"][data-pid]`),
		visible(`#events div:not(.empty)`),
		shot("observer-restarted.png"),
	))
	view, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const li = document.querySelector('li[data-id="cache"]');
		return (li.dataset.pid || '') + '\n' + li.querySelector(':scope > .node').innerText;
	})()`))
	require.NoError(t, err)
	pid, text, _ := strings.Cut(view, "\n")
	require.NotEmpty(t, pid)
	require.NotEqual(t, old.String(), pid, "a new process")
	require.Contains(t, text, "restarts 1")
	require.Contains(t, text, "last exit: connection reset")
	for _, f := range []string{"observer-running.png", "observer-restarting.png", "observer-restarted.png"} {
		st, err := os.Stat(filepath.Join(out, f))
		require.NoError(t, err)
		require.Greater(t, st.Size(), int64(10_000), "%s is a real screenshot", f)
	}
}
