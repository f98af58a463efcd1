package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Both the system and an actor's Context can drive the dynamic API.
var (
	_ supervisor.Requester = (*system.System)(nil)
	_ supervisor.Requester = actor.Context(nil)
)

var (
	errBoom  = errors.New("boom")
	errOther = errors.New("other")
)

// wait bounds every wait of a test; inside a bubble it is virtual time.
const wait = 24 * time.Hour

// bubble runs f inside a synctest bubble with a fresh system, shut down at
// the end (which must succeed): actortest.Run, by the name these tests
// have always used.
func bubble(t *testing.T, f func(t *testing.T, sys *system.System), opts ...system.Option) {
	t.Helper()
	actortest.Run(t, f, opts...)
}

// advance lets d pass on the bubble's virtual clock (never real time: it is
// only called inside synctest bubbles).
func advance(d time.Duration) { <-time.After(d) }

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	t.Cleanup(cancel)
	return ctx
}

// journal records what workers do ("start:a", "stop:a") in order.
type journal struct{ ch chan string }

func newJournal() *journal { return &journal{ch: make(chan string, 4096)} }

func (j *journal) add(s string) {
	if j != nil {
		j.ch <- s
	}
}

// take returns the next n entries, failing the test if they do not come.
func (j *journal) take(t *testing.T, n int) []string {
	t.Helper()
	out := make([]string, 0, n)
	timeout := time.After(wait)
	for len(out) < n {
		select {
		case s := <-j.ch:
			out = append(out, s)
		case <-timeout:
			require.FailNow(t, "journal: timed out", "got %v, want %d entries", out, n)
		}
	}
	return out
}

// rest returns what is left once everything in the bubble has settled.
func (j *journal) rest() []string {
	synctest.Wait()
	var out []string
	for {
		select {
		case s := <-j.ch:
			out = append(out, s)
		default:
			return out
		}
	}
}

// Messages understood by workers.
type (
	crash   struct{ reason error } // stop with reason
	ping    struct{}               // reply "pong:<id>"
	getArgs struct{}               // reply the worker's args
)

// worker is a configurable child. Its zero value needs an id.
type worker struct {
	id        string
	j         *journal
	args      []any
	initErr   func() error  // called by Init; nil means success
	initDelay time.Duration // Init waits this long (or until killed)
	trap      bool          // trap exits; an Exit from the parent is handled by onExit
	onExit    func(ctx actor.Context, e actor.Exit)
	stopDelay time.Duration // Terminate waits this long
}

func (w *worker) props(opts ...actor.Option) actor.Props {
	cfg := *w
	return actor.PropsOf(func() actor.Actor { c := cfg; return &c }, opts...)
}

func (w *worker) Init(ctx actor.Context) error {
	w.j.add("start:" + w.id)
	if w.trap {
		ctx.TrapExit(true)
	}
	if w.initDelay > 0 {
		select {
		case <-time.After(w.initDelay):
		case <-ctx.Context().Done():
		}
	}
	if w.initErr != nil {
		return w.initErr()
	}
	return nil
}

func (w *worker) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case crash:
		ctx.Stop(m.reason)
	case ping:
		_ = ctx.Reply("pong:" + w.id)
	case getArgs:
		_ = ctx.Reply(w.args)
	case actor.Exit:
		if w.onExit != nil {
			w.onExit(ctx, m)
		} else {
			ctx.Stop(m.Reason)
		}
	}
}

func (w *worker) Terminate(ctx actor.Context, reason error) {
	if w.stopDelay > 0 {
		<-time.After(w.stopDelay)
	}
	w.j.add("stop:" + w.id)
}

// hangOnExit is an onExit that takes half a minute of the bubble's virtual
// clock to handle the exit signal, ignoring its context (cancelled when
// the stop arrived): longer than the shutdown timeouts of the children
// that use it, which kill it first, and shorter than the bubble's own
// bound on the system's Shutdown. (A trapping process cannot simply ignore
// its parent's exit signal: the runtime ends it after the handler, as
// OTP's behaviours do.)
func hangOnExit(actor.Context, actor.Exit) { <-time.After(30 * time.Second) }

// child returns a worker child spec with the given ID recording to j.
func child(id string, j *journal) supervisor.Child {
	return supervisor.Child{ID: id, Start: (&worker{id: id, j: j}).props()}
}

// children looks up the current PIDs of a supervisor's children.
func children(t *testing.T, r supervisor.Requester, sup actor.PID) map[string]actor.PID {
	t.Helper()
	infos, err := supervisor.WhichChildren(tctx(t), r, sup)
	require.NoError(t, err)
	m := make(map[string]actor.PID, len(infos))
	for _, i := range infos {
		m[i.ID] = i.PID
	}
	return m
}

// crashChild makes child id of sup stop with reason.
func crashChild(t *testing.T, sys *system.System, sup actor.PID, id string, reason error) actor.PID {
	t.Helper()
	pid := children(t, sys, sup)[id]
	require.False(t, pid.IsZero(), "child %q is not running", id)
	require.NoError(t, sys.Send(pid, crash{reason}))
	return pid
}

// isEvent selects the supervision events.
func isEvent(ev any) bool {
	switch ev.(type) {
	case supervisor.ChildStarted, supervisor.ChildExited, supervisor.ChildRestarted,
		supervisor.RestartFailed, supervisor.RestartDelayed, supervisor.GaveUp, supervisor.ShutdownTimeout,
		supervisor.Decided, supervisor.Reconfigured, supervisor.BreakerOpened, supervisor.BreakerHalfOpen, supervisor.BreakerClosed,
		supervisor.ChildUnhealthy:
		return true
	}
	return false
}

// events subscribes to supervision events.
func events(sys *system.System) *system.Subscription { return subscribeAll(sys, isEvent) }

// describe renders an event without PIDs, for comparing sequences.
func describe(ev any) string {
	switch e := ev.(type) {
	case supervisor.ChildStarted:
		return "started " + e.ID
	case supervisor.ChildExited:
		return fmt.Sprintf("exited %s: %v", e.ID, e.Reason)
	case supervisor.ChildRestarted:
		return "restarted " + e.ID
	case supervisor.RestartFailed:
		return "restart failed " + e.ID
	case supervisor.RestartDelayed:
		return fmt.Sprintf("delayed %s %v", e.ID, e.Delay)
	case supervisor.GaveUp:
		return fmt.Sprintf("gave up on %s: %v", e.ID, e.Reason)
	case supervisor.ShutdownTimeout:
		return fmt.Sprintf("shutdown timeout %s %v", e.ID, e.Timeout)
	case supervisor.BreakerOpened:
		return fmt.Sprintf("opened %s %v %v #%d", e.Breaker, e.Children, e.CoolDown, e.Attempt)
	case supervisor.BreakerHalfOpen:
		return fmt.Sprintf("half-open %s probe %s", e.Breaker, e.ID)
	case supervisor.BreakerClosed:
		if e.Reset {
			return "closed " + e.Breaker + " reset"
		}
		return "closed " + e.Breaker
	case supervisor.ChildUnhealthy:
		return fmt.Sprintf("unhealthy %s after %d: %v", e.ID, e.Failures, e.Err)
	case supervisor.Decided:
		d := fmt.Sprintf("decided %s %v", e.ID, e.Decision.Directive)
		if e.Decision.Reason != nil {
			d += fmt.Sprintf(": %v", e.Decision.Reason)
		}
		return d
	}
	return fmt.Sprintf("%T", ev)
}

// next returns the next event of sub.
func next(t *testing.T, sub *system.Subscription) any {
	t.Helper()
	ev, err := sub.Next(tctx(t))
	require.NoError(t, err, "waiting for a supervision event")
	return ev
}

// take returns the next n events of sub, described.
func take(t *testing.T, sub *system.Subscription, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = describe(next(t, sub))
	}
	return out
}

// until returns the events of sub up to and including the first one that
// describes as last.
func until(t *testing.T, sub *system.Subscription, last string) []string {
	t.Helper()
	var out []string
	for {
		d := describe(next(t, sub))
		out = append(out, d)
		if d == last {
			return out
		}
	}
}

// noEvents asserts that nothing more is published once the bubble settles.
func noEvents(t *testing.T, sub *system.Subscription) {
	t.Helper()
	synctest.Wait()
	ev, ok := sub.TryNext()
	require.False(t, ok, "unexpected event %s", describe(ev))
}

// watch returns a channel that receives pid's exit reason: a probe actor
// monitors it and forwards its Down.
func watch(t *testing.T, sys *system.System, pid actor.PID) <-chan error {
	t.Helper()
	ch := make(chan error, 1)
	_, err := sys.Spawn(&probe{pid: pid, ch: ch})
	require.NoError(t, err)
	return ch
}

type probe struct {
	pid actor.PID
	ch  chan error
}

func (p *probe) Init(ctx actor.Context) error {
	_, err := ctx.Monitor(p.pid)
	return err
}

func (p *probe) Receive(ctx actor.Context, msg any) {
	if d, ok := msg.(actor.Down); ok {
		p.ch <- d.Reason
		ctx.Stop(actor.Normal)
	}
}

// exitReason waits for the reason on a watch channel.
func exitReason(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(wait):
		require.FailNow(t, "process did not exit")
		return nil
	}
}

// spawn starts a supervisor and fails the test on error.
func spawn(t *testing.T, sys *system.System, spec supervisor.Spec, kids ...supervisor.Child) actor.PID {
	t.Helper()
	pid, err := sys.Spawn(supervisor.New(spec, kids...))
	require.NoError(t, err)
	return pid
}

// subscribeAll subscribes with room for every event a test causes before it
// reads them, so that none is dropped.
func subscribeAll(sys *system.System, filter func(any) bool) *system.Subscription {
	sub, err := sys.SubscribeBuffered(filter, 1<<22)
	if err != nil {
		panic(err)
	}
	return sub
}
