package system_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

// seen is what a redirect target hands on: the message and its sender.
type redirSeen struct {
	msg    any
	sender actor.PID
}

func recorder(out chan<- redirSeen) actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) {
		if msg == "ask" {
			_ = ctx.Reply("answered by target")
			return
		}
		out <- redirSeen{msg, ctx.Sender()}
	})
}

// redirector redirects every message to *to (read atomically) and forwards
// whatever still reaches it there too, counting those in handled.
type redirector struct {
	to       *atomic.Value // actor.PID
	handled  *atomic.Int64
	f        func(any) (actor.PID, bool)
	inDown   chan<- struct{} // if set, a Down is handled by signalling it, then waiting for downGate
	downGate <-chan struct{}
}

// spin makes a redirector busy for a moment.
type spin int

// watchMsg makes a redirector monitor a process.
type watchMsg actor.PID

func (r *redirector) Init(ctx actor.Context) error {
	if r.f == nil {
		r.f = func(msg any) (actor.PID, bool) {
			switch msg.(type) {
			case chan struct{}, spin, watchMsg:
				return actor.PID{}, false // for the process itself
			}
			if msg == "off" {
				return actor.PID{}, false
			}
			return r.to.Load().(actor.PID), true
		}
	}
	ctx.Redirect(r.f)
	return nil
}

func (r *redirector) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case watchMsg:
		_, _ = ctx.Monitor(actor.PID(m))
		return
	case actor.Down:
		if r.inDown != nil {
			r.inDown <- struct{}{}
			<-r.downGate
		}
		return
	case chan struct{}: // hold the turn until it is closed
		<-m
		return
	case spin:
		for range int(m) {
			runtime.Gosched()
		}
		return
	case string:
		if m == "off" {
			ctx.Redirect(nil)
			return
		}
	}
	r.handled.Add(1)
	_ = ctx.Forward(r.to.Load().(actor.PID))
}

// In a synctest bubble, synctest.Wait lets every turn end: the
// redirecting process is then idle, and redirects.
func TestRedirectDeliversInTheSendersGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := system.New()
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		out := make(chan redirSeen, 16)
		target := spawn(t, sys, recorder(out))
		var to atomic.Value
		to.Store(target)
		var handled atomic.Int64
		r := spawn(t, sys, &redirector{to: &to, handled: &handled})
		sender := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Send(r, msg) }))

		synctest.Wait()
		require.NoError(t, sys.Send(sender, "hello"))
		require.Equal(t, redirSeen{"hello", sender}, take(t, out), "the target sees the original sender")
		synctest.Wait()
		reply, err := sys.Request(context.Background(), r, "ask")
		require.NoError(t, err)
		require.Equal(t, "answered by target", reply)
		require.Zero(t, handled.Load(), "the redirecting process saw nothing")

		synctest.Wait()
		require.NoError(t, sys.Send(r, "off"))
		synctest.Wait()
		require.NoError(t, sys.Send(r, "after"))
		require.Equal(t, redirSeen{"after", actor.PID{}}, take(t, out))
		require.EqualValues(t, 1, handled.Load(), "without a redirect the message goes through the process")
	})
}

func TestRedirectOnlyWhileIdle(t *testing.T) {
	sys := newSystem(t)
	out := make(chan redirSeen, 16)
	target := spawn(t, sys, recorder(out))
	var to atomic.Value
	to.Store(target)
	var handled atomic.Int64
	r := spawn(t, sys, &redirector{to: &to, handled: &handled})
	hold := make(chan struct{})
	require.NoError(t, sys.Send(r, hold))
	for i := range 3 {
		require.NoError(t, sys.Send(r, i)) // queued behind the held turn
	}
	none(t, out)
	close(hold)
	for i := range 3 {
		require.Equal(t, i, take(t, out).msg)
	}
	require.EqualValues(t, 3, handled.Load())
}

func TestRedirectFallsBack(t *testing.T) {
	sys := newSystem(t)
	out := make(chan redirSeen, 16)
	var handled atomic.Int64
	dead := spawn(t, sys, actor.Func(func(actor.Context, any) {}))
	require.NoError(t, sys.Stop(context.Background(), dead))
	target := spawn(t, sys, recorder(out))
	var to atomic.Value
	to.Store(dead)
	r := spawn(t, sys, &redirector{to: &to, handled: &handled, f: func(msg any) (actor.PID, bool) {
		switch msg {
		case "panic":
			panic("in the redirect")
		case "refuse":
			return target, false
		}
		return dead, true
	}})
	to.Store(target)                                      // where the process forwards what reaches it
	for _, m := range []string{"to the dead", "refuse"} { // "panic": see TestRedirectPanicIsTheSenders
		require.NoError(t, sys.Send(r, m))
		require.Equal(t, m, take(t, out).msg)
	}
	require.EqualValues(t, 2, handled.Load(), "each reached the process it was sent to")

	// A Request whose redirect fails is still answered, through the process.
	reply, err := sys.Request(context.Background(), r, "ask")
	require.NoError(t, err)
	require.Equal(t, "answered by target", reply)
}

// TestRedirectWhileHandlingARuntimeMessage: what turns the redirect off is
// a user message the process holds, not a turn under way: while it handles
// a Down (which no sender's order is owed against), messages sent to it are
// still redirected.
func TestRedirectWhileHandlingARuntimeMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := system.New()
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		out := make(chan redirSeen, 4)
		target := spawn(t, sys, recorder(out))
		var to atomic.Value
		to.Store(target)
		var handled atomic.Int64
		inDown, gate := make(chan struct{}), make(chan struct{})
		r := spawn(t, sys, &redirector{to: &to, handled: &handled, inDown: inDown, downGate: gate})
		victim := spawn(t, sys, actor.Func(func(actor.Context, any) {}))
		require.NoError(t, sys.Send(r, watchMsg(victim)))
		synctest.Wait() // the monitor is set, and r is idle again
		require.NoError(t, sys.Stop(context.Background(), victim))
		<-inDown // r is in its Down handler, its turn under way

		require.NoError(t, sys.Send(r, "while busy"))
		require.Equal(t, redirSeen{"while busy", actor.PID{}}, take(t, out), "redirected past the turn")
		require.Zero(t, handled.Load())
		close(gate)
	})
}

// TestRedirectPanicIsTheSenders: the runtime does not recover a panic in a
// redirect; it is the sending process's, which exits with it, and the
// message goes nowhere.
func TestRedirectPanicIsTheSenders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := system.New()
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		var to atomic.Value
		var handled atomic.Int64
		r := spawn(t, sys, &redirector{to: &to, handled: &handled, f: func(any) (actor.PID, bool) {
			panic("in the redirect")
		}})
		sender := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Send(r, msg) }))
		down := watch(t, sys, sender)
		synctest.Wait() // r is idle: it redirects
		require.NoError(t, sys.Send(sender, "hello"))
		var pe *actor.PanicError
		require.ErrorAs(t, down(), &pe)
		require.Equal(t, "in the redirect", pe.Value)
		synctest.Wait()
		require.Zero(t, handled.Load(), "the message went nowhere")
		require.Zero(t, sys.Stats().DeadLetters, "nor is it a dead letter: the send never happened")
	})
}

// Order from one sender to one target holds across the switch between
// messages the redirecting process passes on (while it is busy) and
// messages redirected past it (while it is idle).
func TestRedirectKeepsPairOrder(t *testing.T) {
	sys := newSystem(t)
	const batches, batch = 40, 500
	got := make(chan int, batch)
	target := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { got <- msg.(int) }))
	var to atomic.Value
	to.Store(target)
	var handled atomic.Int64
	r := spawn(t, sys, &redirector{to: &to, handled: &handled})
	next := 0
	expect := func(k int) {
		t.Helper()
		for range k {
			require.Equal(t, next, take(t, got), "out of order")
			next++
		}
	}
	for b := range batches {
		// The first half goes through the process, held busy; the second
		// is sent as it finishes, so that its messages switch to the
		// redirect at some point once it is idle.
		hold := make(chan struct{})
		require.NoError(t, sys.Send(r, hold))
		for i := range batch / 2 {
			require.NoError(t, sys.Send(r, b*batch+i))
		}
		close(hold)
		for i := batch / 2; i < batch; i++ {
			require.NoError(t, sys.Send(r, b*batch+i))
			if i == batch*3/4 {
				expect(b*batch + batch/2 - next) // the first half is through: the process goes idle
			}
		}
		expect((b+1)*batch - next)
	}
	n := handled.Load()
	t.Logf("%d of %d messages went through the process", n, batches*batch)
	// Where the process and the sender run side by side (GOMAXPROCS > 1)
	// about a quarter go past it; on one processor the sender runs while
	// the process's turn lingers, and it is seldom idle.
	require.Positive(t, n, "some messages went through the process")
}

// A message a redirect would send back to its own sender stays with the
// redirecting process: the sender's own full mailbox does not refuse it.
func TestRedirectNeverBackToTheSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := system.New()
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		var to atomic.Value
		var handled atomic.Int64
		r := spawn(t, sys, &redirector{to: &to, handled: &handled})
		sent, got := make(chan error, 1), make(chan any, 4)
		release := make(chan struct{})
		w, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
			switch msg {
			case "go":
				<-release
				sent <- ctx.Send(r, "to myself")
			default:
				got <- msg
			}
		}), actor.WithMailbox(1, mailbox.Backpressure))
		require.NoError(t, err)
		to.Store(w)
		require.NoError(t, sys.Send(w, "go"))
		synctest.Wait()
		require.NoError(t, sys.Send(w, "filler")) // w's mailbox is full
		close(release)
		require.NoError(t, take(t, sent), "queued at the redirecting process, not refused")
		require.Equal(t, "filler", take(t, got))
		require.Equal(t, "to myself", take(t, got))
		require.EqualValues(t, 1, handled.Load())
	})
}
