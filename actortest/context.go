package actortest

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
)

// Context is an actor.Context with no system behind it: it records what a
// handler asks of it, for a unit test of an actor's Init, Receive or
// Terminate, run on the test goroutine. Nothing is sent or started; Spawn
// returns a new PID, Monitor a new Ref, Request calls OnRequest. Read the
// exported fields after the handler returns. It is not safe for concurrent
// use, as a handler's real Context is not.
type Context struct {
	// What the handler sees.
	SelfPID, ParentPID actor.PID
	Clock              func() time.Time // Now; nil means time.Now
	Log                zerolog.Logger   // Logger; zerolog.Nop() by default
	// OnRequest answers Request; nil answers every Request with
	// actor.ErrNoProcess.
	OnRequest func(to actor.PID, msg any) (any, error)

	// What the handler did, in order within each kind.
	Sent        []Sent
	Replies     []any
	Spawned     []Spawned
	Linked      []actor.PID
	Unlinked    []actor.PID
	Monitored   []Monitored
	Demonitored []actor.Ref
	Probed      []Probed
	// RedirectTo is the last function given to Redirect (nil if none, or
	// removed): a test can call it to see where a message would go.
	RedirectTo     func(msg any) (actor.PID, bool)
	Exits          []Exited
	Timers         []Timer
	ReceiveTimeout time.Duration // the last SetReceiveTimeout; 0 is off
	Trapping       bool
	Stopped        bool
	StopReason     error // of the first Stop, as the runtime keeps it
	Registered     []string
	Published      []any
	Describer      actor.Describer // the last SetDescriber
	Forwarded      []Forwarded
	Refused        []Refused
	Deferred       []*DeferredReply // ReplyLater's, answered or not
	Held           []*HeldMessage   // Hold's
	// Backlogs answers Backlog; a PID not in it has none.
	Backlogs map[actor.PID]int

	sender  actor.PID
	msg     any  // the message being handled
	request bool // the message being handled came with Request, not yet answered
	ctx     context.Context
	cancel  context.CancelFunc
	nextPID uint64
	names   map[string]actor.PID
}

// Sent is a message the handler sent: with Send (Name empty) or SendNamed.
type Sent struct {
	To   actor.PID
	Name string
	Msg  any
}

// Spawned is a process the handler started.
type Spawned struct {
	PID    actor.PID
	Actor  actor.Actor
	Opts   []actor.Option
	Linked bool // SpawnLink
}

// Probed is a health probe the handler sent with Probe.
type Probed struct {
	Ref actor.Ref
	PID actor.PID
}

// Monitored is a monitor the handler set, of a PID or of a Name.
type Monitored struct {
	Ref  actor.Ref
	PID  actor.PID
	Name string
}

// Exited is an exit signal the handler sent with Exit or ExitAndWait.
type Exited struct {
	PID    actor.PID
	Reason error
}

// Timer is a timer the handler set. Every is 0 for SendAfter. Cancel
// records the handler's cancelling it.
type Timer struct {
	After, Every time.Duration
	To           actor.PID
	Msg          any
	Cancelled    bool
}

// pidSystem is the system number of the PIDs a Context makes: no system
// of a program has it until 65,535 were made.
const pidSystem = 0xFFFF

// NewContext returns a Context for a process with a PID of its own and no
// parent.
func NewContext() *Context {
	c := &Context{Log: zerolog.Nop(), names: map[string]actor.PID{}}
	c.SelfPID = c.newPID()
	return c
}

func (c *Context) newPID() actor.PID {
	c.nextPID++
	return actor.NewPID(pidSystem, c.nextPID)
}

// Deliver hands msg from sender to a's Receive, with c as its Context, as
// the runtime would; Sender returns sender while it runs.
func (c *Context) Deliver(a actor.Actor, sender actor.PID, msg any) {
	c.sender, c.msg, c.request = sender, msg, false
	defer func() { c.sender, c.msg = actor.PID{}, nil }()
	a.Receive(c, msg)
}

// DeliverRequest is Deliver for a message sent with Request; it returns
// what the handler replied, and false if it did not.
func (c *Context) DeliverRequest(a actor.Actor, sender actor.PID, msg any) (reply any, replied bool) {
	n := len(c.Replies)
	c.sender, c.msg, c.request = sender, msg, true
	defer func() { c.sender, c.msg, c.request = actor.PID{}, nil, false }()
	a.Receive(c, msg)
	if len(c.Replies) > n {
		return c.Replies[len(c.Replies)-1], true
	}
	return nil, false
}

var _ actor.Context = (*Context)(nil)

// Self implements actor.Context: it returns SelfPID.
func (c *Context) Self() actor.PID { return c.SelfPID }

// Parent implements actor.Context: it returns ParentPID.
func (c *Context) Parent() actor.PID { return c.ParentPID }

// Sender implements actor.Context: it returns the sender given to Deliver or DeliverRequest.
func (c *Context) Sender() actor.PID { return c.sender }

// Logger implements actor.Context: it returns Log.
func (c *Context) Logger() zerolog.Logger { return c.Log }

// Context returns a context.Context that is cancelled once the handler
// has called Stop.
func (c *Context) Context() context.Context {
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithCancel(context.Background())
		if c.Stopped {
			c.cancel()
		}
	}
	return c.ctx
}

// RequestContext implements actor.Context: it returns Context(): a recorded Request is never abandoned.
func (c *Context) RequestContext() context.Context { return c.Context() }

// Now implements actor.Context: it returns Clock(), or time.Now().
func (c *Context) Now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

// Spawn implements actor.Context: it records the spawn in Spawned and returns a new PID.
func (c *Context) Spawn(a actor.Actor, opts ...actor.Option) (actor.PID, error) {
	return c.spawn(a, opts, false)
}

// SpawnLink implements actor.Context: it records the spawn, Linked, in Spawned and returns a new PID.
func (c *Context) SpawnLink(a actor.Actor, opts ...actor.Option) (actor.PID, error) {
	return c.spawn(a, opts, true)
}

func (c *Context) spawn(a actor.Actor, opts []actor.Option, linked bool) (actor.PID, error) {
	if a == nil {
		return actor.PID{}, actor.ErrNilActor
	}
	pid := c.newPID()
	c.Spawned = append(c.Spawned, Spawned{PID: pid, Actor: a, Opts: opts, Linked: linked})
	return pid, nil
}

// Send implements actor.Context: it records the message in Sent.
func (c *Context) Send(to actor.PID, msg any) error {
	c.Sent = append(c.Sent, Sent{To: to, Msg: msg})
	return nil
}

// SendNamed implements actor.Context: it records the message in Sent, with the name (and the PID SetName gave it).
func (c *Context) SendNamed(name string, msg any) error {
	c.Sent = append(c.Sent, Sent{To: c.names[name], Name: name, Msg: msg})
	return nil
}

// SendAfter implements actor.Context: it records the timer in Timers,
// refusing what the runtime refuses (ErrBadDuration for d < 0,
// ErrZeroPID); the function returned records a cancel.
func (c *Context) SendAfter(d time.Duration, to actor.PID, msg any) (func() bool, error) {
	if d < 0 {
		return nil, actor.ErrBadDuration
	}
	if to.IsZero() {
		return nil, actor.ErrZeroPID
	}
	return c.timer(Timer{After: d, To: to, Msg: msg}), nil
}

// SendInterval implements actor.Context: it records the timer in Timers, refusing what the runtime refuses (ErrBadDuration, ErrZeroPID).
func (c *Context) SendInterval(d time.Duration, to actor.PID, msg any) (func() bool, error) {
	if d <= 0 {
		return nil, actor.ErrBadDuration
	}
	if to.IsZero() {
		return nil, actor.ErrZeroPID
	}
	return c.timer(Timer{After: d, Every: d, To: to, Msg: msg}), nil
}

func (c *Context) timer(t Timer) func() bool {
	c.Timers = append(c.Timers, t)
	i := len(c.Timers) - 1
	return func() bool {
		if c.Timers[i].Cancelled {
			return false
		}
		c.Timers[i].Cancelled = true
		return true
	}
}

// SetReceiveTimeout implements actor.Context: it records d in ReceiveTimeout (ErrBadDuration if negative).
func (c *Context) SetReceiveTimeout(d time.Duration) error {
	if d < 0 {
		return actor.ErrBadDuration
	}
	c.ReceiveTimeout = d
	return nil
}

// Request implements actor.Context: it records the message in Sent and returns what OnRequest answers.
func (c *Context) Request(ctx context.Context, to actor.PID, msg any) (any, error) {
	if to == c.SelfPID {
		return nil, actor.ErrRequestSelf
	}
	c.Sent = append(c.Sent, Sent{To: to, Msg: msg})
	if c.OnRequest == nil {
		return nil, actor.ErrNoProcess
	}
	return c.OnRequest(to, msg)
}

// Reply implements actor.Context: it records msg in Replies; ErrNoRequest unless the message came through DeliverRequest and is not answered yet.
func (c *Context) Reply(msg any) error {
	if !c.request {
		return actor.ErrNoRequest
	}
	c.request = false
	c.Replies = append(c.Replies, msg)
	return nil
}

// Link implements actor.Context: it records pid in Linked.
func (c *Context) Link(pid actor.PID) error {
	c.Linked = append(c.Linked, pid)
	return nil
}

// Unlink implements actor.Context: it records pid in Unlinked.
func (c *Context) Unlink(pid actor.PID) error {
	c.Unlinked = append(c.Unlinked, pid)
	return nil
}

// Monitor implements actor.Context: it records the monitor in Monitored and returns its new Ref.
func (c *Context) Monitor(pid actor.PID) (actor.Ref, error) {
	ref := actor.NewRef()
	c.Monitored = append(c.Monitored, Monitored{Ref: ref, PID: pid})
	return ref, nil
}

// Redirect implements actor.Context: it keeps f in RedirectTo.
func (c *Context) Redirect(f func(msg any) (actor.PID, bool)) { c.RedirectTo = f }

// Probe implements actor.Context: it records the probe in Probed and
// returns its new Ref; no ProbeResult follows (deliver one to Receive to
// test how the handler takes it). The zero PID is refused with
// actor.ErrZeroPID, as the runtime refuses it.
func (c *Context) Probe(pid actor.PID) (actor.Ref, error) {
	if pid.IsZero() {
		return actor.Ref{}, actor.ErrZeroPID
	}
	ref := actor.NewRef()
	c.Probed = append(c.Probed, Probed{Ref: ref, PID: pid})
	return ref, nil
}

// MonitorName implements actor.Context: it records the monitor of name in Monitored and returns its new Ref.
func (c *Context) MonitorName(name string) (actor.Ref, error) {
	ref := actor.NewRef()
	c.Monitored = append(c.Monitored, Monitored{Ref: ref, PID: c.names[name], Name: name})
	return ref, nil
}

// Demonitor implements actor.Context: it records ref in Demonitored and reports whether it was one of Monitored.
func (c *Context) Demonitor(ref actor.Ref) bool {
	c.Demonitored = append(c.Demonitored, ref)
	for _, m := range c.Monitored {
		if m.Ref == ref {
			return true
		}
	}
	return false
}

// TrapExit implements actor.Context: it sets Trapping and returns its previous value.
func (c *Context) TrapExit(on bool) bool {
	old := c.Trapping
	c.Trapping = on
	return old
}

// Exit implements actor.Context: it records the exit signal in Exits (ErrNilReason for nil).
func (c *Context) Exit(pid actor.PID, reason error) error {
	if reason == nil {
		return actor.ErrNilReason
	}
	c.Exits = append(c.Exits, Exited{PID: pid, Reason: reason})
	return nil
}

// ExitAndWait records the exit signal and returns at once the Down of pid
// exiting with reason, as if it had.
func (c *Context) ExitAndWait(ctx context.Context, pid actor.PID, reason error) (actor.Down, error) {
	if err := c.Exit(pid, reason); err != nil {
		return actor.Down{}, err
	}
	return actor.Down{Ref: actor.NewRef(), PID: pid, Reason: reason}, nil
}

// Stop implements actor.Context: it sets Stopped and StopReason on the first call (nil means actor.Normal) and cancels Context().
func (c *Context) Stop(reason error) {
	if reason == nil {
		reason = actor.Normal
	}
	if !c.Stopped {
		c.Stopped, c.StopReason = true, reason
		if c.cancel != nil {
			c.cancel()
		}
	}
}

// Register implements actor.Context: it registers name for Self, as the registry would (ErrEmptyName, ErrNameTaken), and records it in Registered.
func (c *Context) Register(name string) error {
	if name == "" {
		return actor.ErrEmptyName
	}
	if _, taken := c.names[name]; taken {
		return actor.ErrNameTaken
	}
	c.names[name] = c.SelfPID
	c.Registered = append(c.Registered, name)
	return nil
}

// Unregister implements actor.Context: it removes name (ErrNotRegistered if it is not registered).
func (c *Context) Unregister(name string) error {
	if _, ok := c.names[name]; !ok {
		return actor.ErrNotRegistered
	}
	delete(c.names, name)
	return nil
}

// Whereis finds names registered through this Context and with SetName.
func (c *Context) Whereis(name string) (actor.PID, bool) {
	pid, ok := c.names[name]
	return pid, ok
}

// SetName makes Whereis, SendNamed and MonitorName find pid under name.
func (c *Context) SetName(name string, pid actor.PID) { c.names[name] = pid }

// Alive reports true for Self and the processes this Context spawned.
func (c *Context) Alive(pid actor.PID) bool {
	if pid == c.SelfPID {
		return !c.Stopped
	}
	for _, s := range c.Spawned {
		if s.PID == pid {
			return true
		}
	}
	return false
}

// Publish implements actor.Context: it records event in Published.
func (c *Context) Publish(event any) { c.Published = append(c.Published, event) }

// SetDescriber implements actor.Context: it keeps d in Describer.
func (c *Context) SetDescriber(d actor.Describer) { c.Describer = d }
