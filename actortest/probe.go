package actortest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// DefaultTimeout bounds each wait of a probe unless WithTimeout says
// otherwise. Reaching it fails the test; it is never a way to let time
// pass.
const DefaultTimeout = 3 * time.Second

// TestingT is the part of testing.TB a probe uses; *testing.T, *testing.B
// and *testing.F satisfy it, as do fakes that check a failure's message.
type TestingT interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	FailNow()
}

// Message is one message a probe received: the message, its sender (the
// zero PID when sent from outside any process or by the runtime) and
// whether it came with Request.
type Message struct {
	Msg       any
	Sender    actor.PID
	IsRequest bool
}

// Probe is a process that records every message it receives, for a test to
// read in order. Its methods are for the test goroutine: they are not meant
// to be called concurrently with each other, and those that wait fail t
// after the probe's timeout.
type Probe struct {
	sys     *system.System
	pid     actor.PID
	timeout time.Duration

	mu      sync.Mutex
	queue   []received
	arrived chan struct{} // signalled when queue grows
	last    Message
	read    bool     // a message was read: last is set
	pending chan any // the request the probe's handler holds, until answered or passed
	closed  chan struct{}
	once    sync.Once
}

// received is a recorded message; reply is set for a Request, whose
// handler waits on it.
type received struct {
	Message
	reply chan any
}

// ProbeOption configures NewProbe: WithTimeout, WithSpawnOptions,
// WithSpawn or WithTerminate.
type ProbeOption interface{ apply(*probeConfig) }

type probeOption func(*probeConfig)

func (o probeOption) apply(c *probeConfig) { o(c) }

type probeConfig struct {
	timeout   time.Duration
	opts      []actor.Option
	spawn     func(a actor.Actor, opts ...actor.Option) (actor.PID, error)
	terminate func(ctx actor.Context, reason error)
}

// WithTimeout bounds each wait of the probe by d instead of DefaultTimeout.
func WithTimeout(d time.Duration) ProbeOption {
	return probeOption(func(c *probeConfig) { c.timeout = d })
}

// WithSpawnOptions spawns the probe with opts (a name, a mailbox).
func WithSpawnOptions(opts ...actor.Option) ProbeOption {
	return probeOption(func(c *probeConfig) { c.opts = append(c.opts, opts...) })
}

// WithSpawn spawns the probe with spawn instead of sys.Spawn, passing it
// the probe's actor and the options of WithSpawnOptions: for instance to
// make the probe the linked child of another process, by calling
// Context.SpawnLink in that process's callback (see Probe.Do). spawn must
// spawn a once, with opts, and return its PID. NewProbe calls it once, on
// the test goroutine, and fails t with the error it returns.
func WithSpawn(spawn func(a actor.Actor, opts ...actor.Option) (actor.PID, error)) ProbeOption {
	return probeOption(func(c *probeConfig) { c.spawn = spawn })
}

// WithTerminate gives the probe a Terminate callback: f runs on the
// probe's goroutine with its exit reason when it exits, before its links
// and monitors are told (see actor.Terminator; it does not run after a
// Kill). f may block, which holds the probe's exit, or report the reason
// to the test on a channel; it must not call the probe's methods, which
// are for the test goroutine.
func WithTerminate(f func(ctx actor.Context, reason error)) ProbeOption {
	return probeOption(func(c *probeConfig) { c.terminate = f })
}

// terminating is a probe's actor with a Terminate callback.
type terminating struct {
	actor.Func
	terminate func(ctx actor.Context, reason error)
}

func (a terminating) Terminate(ctx actor.Context, reason error) { a.terminate(ctx, reason) }

// NewProbe spawns a probe in sys and returns it. It fails t if the spawn
// fails. When the test ends (t.Cleanup) the probe is released and stopped,
// unless the system was shut down first or the probe has exited.
func NewProbe(t TestingT, sys *system.System, opts ...ProbeOption) *Probe {
	t.Helper()
	c := probeConfig{timeout: DefaultTimeout}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	p := &Probe{sys: sys, timeout: c.timeout, arrived: make(chan struct{}, 1), closed: make(chan struct{})}
	var a actor.Actor = actor.Func(p.receive)
	if c.terminate != nil {
		a = terminating{Func: p.receive, terminate: c.terminate}
	}
	spawn := sys.Spawn
	if c.spawn != nil {
		spawn = c.spawn
	}
	pid, err := spawn(a, c.opts...)
	if err != nil {
		t.Errorf("actortest: spawn probe: %v", err)
		t.FailNow()
		return nil
	}
	p.pid = pid
	t.Cleanup(func() {
		p.close()
		ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
		defer cancel()
		_ = sys.Stop(ctx, pid) // ErrStopped after a Shutdown: nothing to do
	})
	return p
}

// PID returns the probe's PID.
func (p *Probe) PID() actor.PID { return p.pid }

// String names the probe in failures: "probe <0.3.0>".
func (p *Probe) String() string { return "probe " + p.pid.String() }

// command is a function the probe runs in its own callback, for Do,
// DoAsync, Send, Link, Monitor and TrapExit; it is not recorded. done, if
// set, is closed once run has ended, and returned is set first if it
// returned (rather than panicking or ending the goroutine).
type command struct {
	run      func(ctx actor.Context)
	done     chan struct{}
	returned bool
}

// receive is the probe's Receive: it records msg, and for a Request waits
// until the test answers it, passes it, or the probe or the requester
// goes.
func (p *Probe) receive(ctx actor.Context, msg any) {
	if c, ok := msg.(*command); ok {
		if c.done != nil {
			defer close(c.done)
		}
		c.run(ctx)
		c.returned = true
		return
	}
	r := received{Message: Message{Msg: msg, Sender: ctx.Sender()}}
	if ctx.RequestContext() != ctx.Context() {
		r.IsRequest, r.reply = true, make(chan any, 1)
	}
	p.mu.Lock()
	p.queue = append(p.queue, r)
	p.mu.Unlock()
	select {
	case p.arrived <- struct{}{}:
	default:
	}
	if r.reply == nil {
		return
	}
	select {
	case v, ok := <-r.reply:
		if ok {
			_ = ctx.Reply(v)
		}
	case <-ctx.RequestContext().Done():
	case <-ctx.Context().Done():
	case <-p.closed:
	}
}

func (p *Probe) close() { p.once.Do(func() { close(p.closed) }) }

// pass lets the probe's handler go on from a Request the test read and did
// not answer.
func (p *Probe) pass() {
	if p.pending != nil {
		close(p.pending)
		p.pending = nil
	}
}

// next returns the next message, or ok false after d.
func (p *Probe) next(d time.Duration) (m Message, ok bool) {
	p.pass()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		if len(p.queue) > 0 {
			r := p.queue[0]
			p.queue[0] = received{}
			p.queue = p.queue[1:]
			p.mu.Unlock()
			p.last, p.read, p.pending = r.Message, true, r.reply
			return r.Message, true
		}
		p.mu.Unlock()
		select {
		case <-p.arrived:
		case <-deadline.C:
			return Message{}, false
		}
	}
}

// fail reports a failed expectation on t and stops the test.
func (p *Probe) fail(t TestingT, format string, args ...any) {
	t.Helper()
	t.Errorf("actortest: %v: "+format, append([]any{p}, args...)...)
	t.FailNow()
}

// describe formats a value with its type, for failures.
func describe(v any) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprintf("%#v (%T)", v, v)
}

func describeMsg(m Message) string {
	s := describe(m.Msg)
	if !m.Sender.IsZero() {
		s += " from " + m.Sender.String()
	}
	return s
}

// Receive returns the next message the probe received, waiting for it up
// to the probe's timeout; it fails t if none arrives.
func (p *Probe) Receive(t TestingT) Message {
	t.Helper()
	m, ok := p.next(p.timeout)
	if !ok {
		p.fail(t, "expected a message within %v, nothing arrived", p.timeout)
	}
	return m
}

// Expect fails t unless the next message is equal to want (by
// reflect.DeepEqual, or errors.Is for an error) and arrives within the
// probe's timeout. It returns the message.
func (p *Probe) Expect(t TestingT, want any) Message {
	t.Helper()
	m, ok := p.next(p.timeout)
	switch {
	case !ok:
		p.fail(t, "expected %s within %v, nothing arrived", describe(want), p.timeout)
	case !equal(m.Msg, want):
		p.fail(t, "expected %s, got %s", describe(want), describeMsg(m))
	}
	return m
}

func equal(got, want any) bool {
	if reflect.DeepEqual(got, want) {
		return true
	}
	g, gok := got.(error)
	w, wok := want.(error)
	return gok && wok && errors.Is(g, w)
}

// ExpectType fails t unless the probe's next message has type T and
// arrives within the probe's timeout, and returns it.
func ExpectType[T any](t TestingT, p *Probe) T {
	t.Helper()
	return expectOf(t, p, fmt.Sprintf("a %v", reflect.TypeFor[T]()), func(T) bool { return true })
}

// ExpectDown fails t unless the next message is the actor.Down of a
// monitor of pid, within the probe's timeout, and returns it; its Reason
// is the exit reason.
func (p *Probe) ExpectDown(t TestingT, pid actor.PID) actor.Down {
	t.Helper()
	return expectOf(t, p, fmt.Sprintf("Down of %v", pid), func(d actor.Down) bool { return d.PID == pid })
}

// ExpectExit fails t unless the next message is an actor.Exit from pid
// (the probe must trap exits to receive one), within the probe's timeout,
// and returns it.
func (p *Probe) ExpectExit(t TestingT, pid actor.PID) actor.Exit {
	t.Helper()
	return expectOf(t, p, fmt.Sprintf("Exit from %v", pid), func(x actor.Exit) bool { return x.From == pid })
}

// expectOf fails t unless the probe's next message, within its timeout,
// is a T that match accepts; what names it in the failure.
func expectOf[T any](t TestingT, p *Probe, what string, match func(T) bool) T {
	t.Helper()
	m, ok := p.next(p.timeout)
	if !ok {
		p.fail(t, "expected %s within %v, nothing arrived", what, p.timeout)
		var zero T
		return zero
	}
	v, ok := m.Msg.(T)
	if !ok || !match(v) {
		p.fail(t, "expected %s, got %s", what, describeMsg(m))
	}
	return v
}

// ExpectNoMessage fails t if a message arrives within d. It waits d: in a
// synctest bubble that is virtual time and costs nothing.
func (p *Probe) ExpectNoMessage(t TestingT, d time.Duration) {
	t.Helper()
	if m, ok := p.next(d); ok {
		p.fail(t, "expected no message within %v, got %s", d, describeMsg(m))
	}
}

// Reply answers the last message read, which must have come with Request
// (the requester has waited for it until now). It fails t otherwise.
func (p *Probe) Reply(t TestingT, msg any) {
	t.Helper()
	if p.pending == nil {
		p.fail(t, "Reply: the last message read, %s, is not a pending Request", describeMsg(p.last))
		return
	}
	p.pending <- msg
	p.pending = nil
}

// Forward sends the last message read on to pid, with the probe as its
// sender. It fails t if there is none or the send fails.
func (p *Probe) Forward(t TestingT, pid actor.PID) {
	t.Helper()
	if !p.read {
		p.fail(t, "Forward: no message read yet")
		return
	}
	p.Send(t, pid, p.last.Msg)
}
