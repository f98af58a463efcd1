package actortest

import (
	"context"
	"time"

	"github.com/airssys/rt/actor"
)

// do runs f inside the probe's callback and waits for it, failing t after
// the probe's timeout, or at once if f does not return (it panicked or
// ended the probe's goroutine). A Request the probe holds is passed first,
// so that the probe can run f.
func (p *Probe) do(t TestingT, what string, f func(ctx actor.Context)) {
	t.Helper()
	p.pass()
	c := &command{run: f, done: make(chan struct{})}
	if err := p.send(c); err != nil {
		p.fail(t, "%s: %v", what, err)
		return
	}
	// Twice the timeout: the command may itself wait up to one (Request).
	deadline := time.NewTimer(2 * p.timeout)
	defer deadline.Stop()
	select {
	case <-c.done:
		if !c.returned {
			p.fail(t, "%s: the function did not return: it panicked or ended the probe's goroutine", what)
		}
	case <-deadline.C:
		p.fail(t, "%s: the probe did not run it within %v", what, 2*p.timeout)
	}
}

// Do runs f in the probe's own callback, as the probe's code, and returns
// its result once f has returned: what f does with ctx (Send, Request,
// Link, Stop, Exit, Spawn...) the probe does, and anything it receives
// meanwhile is recorded after what it received before. Do blocks; it
// fails t if the probe is not alive, if f has not returned within twice
// the probe's timeout, or if f panics or ends the goroutine (the probe
// then exits with that crash). A Request the probe holds unanswered is
// passed first (as by reading on). f runs on the probe's goroutine, so it
// must not call t's methods; it returns what the test should check.
func (p *Probe) Do(t TestingT, f func(ctx actor.Context) any) any {
	t.Helper()
	var v any
	p.do(t, "Do", func(ctx actor.Context) { v = f(ctx) })
	return v
}

// DoAsync queues f to run in the probe's own callback and returns without
// waiting for it. f is queued as a message sent from the test goroutine
// is: what that goroutine sent to the probe before is handled first, and
// what it sends after waits until f has returned, so an f that blocks on a
// channel the test closes keeps later messages queued. A panic in f ends
// the probe with that crash. A Request the probe holds unanswered is
// passed first. DoAsync fails t if the probe is not alive or its mailbox
// refuses f (a full DropNewest mailbox, or a full Backpressure one that
// has no room within the probe's timeout). f must not call t's methods; it
// reports on a channel.
func (p *Probe) DoAsync(t TestingT, f func(ctx actor.Context)) {
	t.Helper()
	p.pass()
	if err := p.send(&command{run: f}); err != nil {
		p.fail(t, "DoAsync: %v", err)
	}
}

// send queues c for the probe, waiting for room in a full Backpressure
// mailbox up to the probe's timeout.
func (p *Probe) send(c *command) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	return p.sys.SendContext(ctx, p.pid, c)
}

// Send sends msg to pid with the probe as its sender, so that whatever pid
// answers comes to the probe. It fails t if the send fails.
func (p *Probe) Send(t TestingT, pid actor.PID, msg any) {
	t.Helper()
	var err error
	p.do(t, "Send", func(ctx actor.Context) { err = ctx.Send(pid, msg) })
	if err != nil {
		p.fail(t, "Send to %v: %v", pid, err)
	}
}

// Request sends msg to pid with Request, from the probe (so the target's
// Sender is the probe), and returns the reply. It fails t if the request
// fails or no reply comes within the probe's timeout.
func (p *Probe) Request(t TestingT, pid actor.PID, msg any) any {
	t.Helper()
	var reply any
	var err error
	p.do(t, "Request", func(ctx actor.Context) {
		rctx, cancel := context.WithTimeout(ctx.Context(), p.timeout)
		defer cancel()
		reply, err = ctx.Request(rctx, pid, msg)
	})
	if err != nil {
		p.fail(t, "Request %s to %v: %v", describe(msg), pid, err)
	}
	return reply
}

// Link links the probe with pid. If pid exits, the probe exits too, unless
// it traps exits (TrapExit), and then receives the actor.Exit to read with
// ExpectExit. It fails t if Link fails.
func (p *Probe) Link(t TestingT, pid actor.PID) {
	t.Helper()
	var err error
	p.do(t, "Link", func(ctx actor.Context) { err = ctx.Link(pid) })
	if err != nil {
		p.fail(t, "Link to %v: %v", pid, err)
	}
}

// Monitor makes the probe monitor pid and returns the monitor's Ref; the
// Down comes to the probe, to read with ExpectDown. It fails t if Monitor
// fails.
func (p *Probe) Monitor(t TestingT, pid actor.PID) actor.Ref {
	t.Helper()
	var ref actor.Ref
	var err error
	p.do(t, "Monitor", func(ctx actor.Context) { ref, err = ctx.Monitor(pid) })
	if err != nil {
		p.fail(t, "Monitor %v: %v", pid, err)
	}
	return ref
}

// TrapExit turns the probe's exit trapping on or off, so that exit signals
// from its links arrive as actor.Exit messages.
func (p *Probe) TrapExit(t TestingT, on bool) {
	t.Helper()
	p.do(t, "TrapExit", func(ctx actor.Context) { ctx.TrapExit(on) })
}
