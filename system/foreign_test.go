package system_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// fakeForeign records what a system hands it for foreign PIDs.
type fakeForeign struct {
	mu    sync.Mutex
	calls []string
	ch    chan string
}

func (f *fakeForeign) note(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
	f.ch <- s
}

func (f *fakeForeign) Send(from, to actor.PID, msg any) error { f.note("send"); return nil }
func (f *fakeForeign) SendNamed(from actor.PID, name, node string, msg any) error {
	f.note("sendnamed " + name + "@" + node)
	return nil
}
func (f *fakeForeign) Request(ctx context.Context, killed <-chan struct{}, from, to actor.PID, msg any) (any, error) {
	f.note("request")
	return "answer", nil
}
func (f *fakeForeign) Link(from, to actor.PID)                            { f.note("link") }
func (f *fakeForeign) Unlink(from, to actor.PID)                          { f.note("unlink") }
func (f *fakeForeign) Monitor(w actor.PID, ref actor.Ref, to actor.PID)   { f.note("monitor") }
func (f *fakeForeign) Demonitor(w actor.PID, ref actor.Ref, to actor.PID) { f.note("demonitor") }
func (f *fakeForeign) Exit(from, to actor.PID, reason error) error {
	f.note("exit " + reason.Error())
	return nil
}
func (f *fakeForeign) LinkExited(from, to actor.PID, reason error) {
	f.note("linkexited " + reason.Error())
}
func (f *fakeForeign) Down(w actor.PID, ref actor.Ref, pid actor.PID, reason error) {
	f.note("down " + reason.Error())
}

func TestForeignHook(t *testing.T) {
	a, b := system.New(), system.New()
	defer shutdownSys(t, a)
	defer shutdownSys(t, b)
	far, err := b.Spawn(actor.Func(func(actor.Context, any) {}))
	require.NoError(t, err)

	// Without a Foreign, a PID of another system is refused.
	require.ErrorIs(t, a.Send(far, 1), actor.ErrForeignPID)

	f := &fakeForeign{ch: make(chan string, 64)}
	a.SetForeign(f)
	require.NoError(t, a.Send(far, 1))
	require.Equal(t, "send", take(t, f.ch))
	require.NoError(t, a.SendNamed("x@node", 1))
	require.Equal(t, "sendnamed x@node", take(t, f.ch))
	got, err := a.Request(context.Background(), far, 1)
	require.NoError(t, err)
	require.Equal(t, "answer", got)
	require.Equal(t, "request", take(t, f.ch))

	// A process linked to and monitoring the foreign PID.
	downs := make(chan any, 8)
	pid, err := a.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch msg {
		case "watch":
			_ = ctx.Link(far)
			_, _ = ctx.Monitor(far)
		case "crash":
			panic("crash")
		default:
			downs <- msg
		}
	}))
	require.NoError(t, err)
	require.NoError(t, a.Send(pid, "watch"))
	require.Equal(t, "link", take(t, f.ch))
	require.Equal(t, "monitor", take(t, f.ch))
	// The foreign side monitors pid too.
	ref := actor.NewRef()
	require.True(t, a.RemoteMonitor(pid, ref, far))
	require.NoError(t, a.Send(pid, "crash"))
	seen := map[string]bool{}
	for range 3 { // its link, its own monitor, the foreign monitor of it
		seen[take(t, f.ch)] = true
	}
	require.True(t, seen["demonitor"], "%v", seen)
	for k := range seen {
		if k != "demonitor" {
			require.Contains(t, k, "panic in")
		}
	}
	require.False(t, a.RemoteMonitor(pid, actor.NewRef(), far), "a dead process cannot be monitored")
	require.False(t, a.RemoteLink(pid, far), "nor linked")

	// A Down from the foreign side reaches a live monitor once.
	w, err := a.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if msg == "watch" {
			r, _ := ctx.Monitor(far)
			downs <- r
			return
		}
		downs <- msg
	}))
	require.NoError(t, err)
	require.NoError(t, a.Send(w, "watch"))
	require.Equal(t, "monitor", take(t, f.ch))
	r := take(t, downs).(actor.Ref)
	a.RemoteDown(w, r, far, actor.NoConnection)
	a.RemoteDown(w, r, far, actor.NoConnection)
	d := take(t, downs).(actor.Down)
	require.Equal(t, actor.Down{Ref: r, PID: far, Reason: actor.NoConnection}, d)
	// A link exit from the foreign side ends a linked, non-trapping process.
	require.True(t, a.RemoteLink(w, far))
	m, err := a.Monitor(w)
	require.NoError(t, err)
	a.RemoteExit(far, w, actor.NoConnection, true)
	dw, err := m.Wait(context.Background())
	require.NoError(t, err)
	require.ErrorIs(t, dw.Reason, actor.NoConnection)
	require.Equal(t, 0, len(downs), "no second Down")

	a.SetForeign(nil)
	require.ErrorIs(t, a.Send(far, 1), actor.ErrForeignPID)
}

func shutdownSys(t *testing.T, s *system.System) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), shutdownLimit)
	defer cancel()
	require.NoError(t, s.Shutdown(ctx))
}
