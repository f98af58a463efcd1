package supervisor

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/pidmap"
)

// Child states.
const (
	stopped    uint8 = iota // not running: terminated, or exited and not restarted
	running                 // pid is live (as far as the supervisor knows)
	restarting              // a restart is pending (delayed, or retried after a failed start)
)

// child is one entry of a supervisor: a static child spec or a dynamic
// child of the template, in start order.
type child struct {
	spec     Child
	opts     []actor.Option // static children: spawn options, computed once
	args     []any          // dynamic children: StartChildWith's arguments
	pid      actor.PID
	state    uint8
	token    uint64 // identifies the pending restart; a stale one is ignored
	restarts int
	removed  bool
	prev     *child
	next     *child
}

// ancestor is one link of a supervisor's line of ancestors, kept to refuse
// adopting one of them.
type ancestor struct {
	s   *sup
	pid actor.PID
	up  *ancestor
}

// sup is the supervisor actor.
type sup struct {
	spec  Spec
	specs []Child
	up    *ancestor // set by a parent supervisor before it spawns this one

	// Process state, reset by Init.
	cfg          config
	self         actor.PID
	log          zerolog.Logger
	template     Child // SimpleOneForOne
	templateOpts []actor.Option
	byPID        pidmap.Map[*child]
	byID         map[string]*child
	head         *child
	tail         *child
	n            int // children in the list
	active       int // children running
	sigLive      int // significant children running or restarting
	tokens       uint64
	hist         history
	bo           backoffState
}

// backoffState tracks the exponential delays of Backoff.
type backoffState struct {
	attempt int       // delays since the last quiet period
	last    time.Time // when the last delayed restart ran
	pending int       // delayed restarts scheduled and not yet received
}

// Internal messages the supervisor sends itself.
type (
	delayedRestart struct {
		c     *child
		token uint64
	}
	retryRestart struct {
		c     *child
		token uint64
	}
)

var (
	_ actor.Initializer = (*sup)(nil)
	_ actor.Terminator  = (*sup)(nil)
)

// New returns a supervisor actor: spawn it like any actor (System.Spawn,
// or Context.SpawnLink from a parent, or as the Start of another
// supervisor's Child). Spawn returns once every child has started; it
// returns the spec's validation error, or a *ChildStartFailed if a child
// failed to start (those started before it are then stopped in reverse
// order).
//
// The returned actor is one process's state: call New again (in a
// Props.New factory) for each process. The supervisor traps exits; an exit
// signal from its parent (or from the system, as System.Shutdown sends)
// makes it stop its children in reverse start order and exit with the same
// reason. Its mailbox should keep the default Backpressure policy, so that
// the messages it sends itself are never dropped.
func New(spec Spec, children ...Child) actor.Actor {
	return &sup{spec: spec, specs: slices.Clone(children)}
}

// Init validates the spec and starts the children in spec order, each
// initialised before the next.
func (s *sup) Init(ctx actor.Context) error {
	cfg, err := s.spec.config()
	if err != nil {
		return err
	}
	s.cfg = cfg
	s.self = ctx.Self()
	s.log = ctx.Logger().With().Stringer("supervisor", s.self).Logger()
	s.byPID.Clear()
	s.byID = make(map[string]*child, len(s.specs))
	s.head, s.tail, s.n, s.active, s.sigLive, s.tokens = nil, nil, 0, 0, 0, 0
	s.hist, s.bo = history{}, backoffState{}

	if cfg.strategy == SimpleOneForOne {
		if len(s.specs) != 1 {
			return fmt.Errorf("%w: got %d", ErrTemplate, len(s.specs))
		}
		if s.template, err = s.specs[0].check(cfg); err != nil {
			return err
		}
		s.templateOpts = s.template.options()
		ctx.TrapExit(true)
		return nil
	}
	checked := make([]Child, len(s.specs))
	for i, c := range s.specs {
		if checked[i], err = c.check(cfg); err != nil {
			return err
		}
		if _, dup := s.byID[c.ID]; dup {
			return fmt.Errorf("%w: %q", ErrDuplicateID, c.ID)
		}
		s.byID[c.ID] = nil
	}
	clear(s.byID)
	ctx.TrapExit(true)
	for _, spec := range checked {
		c := s.add(&child{spec: spec, opts: spec.options()})
		if err := s.start(ctx, c); err != nil {
			s.remove(c)
			s.stopAll(ctx)
			return &ChildStartFailed{ID: spec.ID, Err: err}
		}
		s.event(ctx, ChildStarted{Supervisor: s.self, ID: spec.ID, PID: c.pid})
	}
	return nil
}

// Receive handles the children's exits, the dynamic API's requests and the
// supervisor's own restart messages.
func (s *sup) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case actor.Exit:
		s.handleExit(ctx, m)
	case retryRestart:
		if s.pending(m.c, m.token) {
			s.restart(ctx, m.c)
		}
	case delayedRestart:
		s.bo.pending--
		if s.pending(m.c, m.token) {
			now := ctx.Now()
			s.bo.last = now
			s.hist.record(now, s.cfg.intensity, s.cfg.period)
			_ = s.restartGroup(ctx, m.c)
		}
	case request:
		_ = ctx.Reply(m.serve(ctx, s))
	default:
		s.log.Debug().Str("type", fmt.Sprintf("%T", msg)).Msg("supervisor ignored an unexpected message")
	}
}

// Terminate stops the children in reverse start order.
func (s *sup) Terminate(ctx actor.Context, reason error) {
	s.log.Debug().AnErr("reason", reason).Msg("supervisor stopping")
	s.stopAll(ctx)
}

func (s *sup) dynamic() bool { return s.cfg.strategy == SimpleOneForOne }

// handleExit dispatches an exit signal: a child's, the parent's, or a
// stranger's (ignored).
func (s *sup) handleExit(ctx actor.Context, m actor.Exit) {
	if c, ok := s.byPID.Get(m.From); ok {
		s.childExited(ctx, c, m.Reason)
		return
	}
	if m.From == ctx.Parent() || m.From.IsZero() {
		ctx.Stop(m.Reason)
		return
	}
	// A process that is not (or no longer) a child: a child stopped by the
	// supervisor itself, whose linked exit arrives after it was waited
	// for, or a stranger. Either way there is nothing to restart.
	s.log.Debug().Stringer("from", m.From).AnErr("reason", m.Reason).Msg("exit signal from a non-child ignored")
}

// childExited applies the child's restart type after it exited on its own.
func (s *sup) childExited(ctx actor.Context, c *child, reason error) {
	pid := c.pid
	s.setState(c, stopped, actor.PID{})
	s.event(ctx, ChildExited{Supervisor: s.self, ID: c.spec.ID, PID: pid, Reason: reason})
	restart := c.spec.Restart == Permanent || c.spec.Restart == Transient && !actor.IsClean(reason)
	if !restart {
		if c.spec.Restart == Temporary || s.dynamic() {
			s.remove(c)
		}
		if c.spec.Significant {
			s.autoShutdown(ctx, c)
		}
		return
	}
	s.restart(ctx, c)
}

// autoShutdown stops the supervisor if significant child c's exit calls for
// it.
func (s *sup) autoShutdown(ctx actor.Context, c *child) {
	if s.cfg.auto == AnySignificant || s.cfg.auto == AllSignificant && s.sigLive == 0 {
		s.log.Info().Str("child", c.spec.ID).Msg("significant child exited: auto-shutdown")
		ctx.Stop(actor.Shutdown)
	}
}

// restart is one counted restart of c (with its group, per the strategy):
// now if the intensity allows it, otherwise per the escalation.
func (s *sup) restart(ctx actor.Context, c *child) {
	if s.hist.admit(ctx.Now(), s.cfg.intensity, s.cfg.period) {
		_ = s.restartGroup(ctx, c) // a failure is retried
		return
	}
	b, ok := s.cfg.escalation.(Backoff)
	if !ok {
		s.giveUp(ctx, c)
		return
	}
	now := ctx.Now()
	if s.bo.pending == 0 && now.Sub(s.bo.last) >= s.cfg.period {
		s.bo.attempt = 0 // a quiet period: start again from Base
	}
	d := backoffDelay(b, s.bo.attempt, rand.Float64())
	s.bo.attempt++
	for _, g := range s.stopBystanders(ctx, c) {
		s.setState(g, restarting, actor.PID{})
	}
	c.token = s.nextToken()
	s.bo.pending++
	s.after(ctx, d, delayedRestart{c: c, token: c.token})
	s.event(ctx, RestartDelayed{Supervisor: s.self, ID: c.spec.ID, Delay: d, Attempt: s.bo.attempt})
}

// giveUp ends the supervisor per its escalation; Terminate then stops the
// children in reverse start order.
func (s *sup) giveUp(ctx actor.Context, c *child) {
	var reason error = actor.Shutdown
	if s.cfg.escalation == Escalate {
		reason = &RestartLimitExceeded{Intensity: s.cfg.intensity, Period: s.cfg.period}
	}
	s.event(ctx, GaveUp{Supervisor: s.self, ID: c.spec.ID, Reason: reason})
	ctx.Stop(reason)
}

// group returns the children restarted with c, in start order.
func (s *sup) group(c *child) []*child {
	switch s.cfg.strategy {
	case OneForAll:
		g := make([]*child, 0, s.n)
		for x := s.head; x != nil; x = x.next {
			g = append(g, x)
		}
		return g
	case RestForOne:
		var g []*child
		for x := c; x != nil; x = x.next {
			g = append(g, x)
		}
		return g
	}
	return []*child{c}
}

// stopBystanders stops, in reverse start order, the running children of
// c's group and forgets its temporary ones. It returns the group left to
// start, in start order.
func (s *sup) stopBystanders(ctx actor.Context, c *child) []*child {
	g := s.group(c)
	for i := len(g) - 1; i >= 0; i-- {
		x := g[i]
		if x.state == running {
			s.stopChild(ctx, x)
		}
		if x.spec.Restart == Temporary {
			s.remove(x)
		}
	}
	return slices.DeleteFunc(g, func(x *child) bool { return x.removed })
}

// restartGroup stops c's group and starts it again in start order. If a
// child fails to start, it and the children after it are left restarting
// and the restart is retried, counted again, from that child; the start
// error is returned.
func (s *sup) restartGroup(ctx actor.Context, c *child) error {
	if s.cfg.strategy == OneForOne || s.dynamic() {
		if err := s.start(ctx, c); err != nil {
			s.restartFailed(ctx, c, err, nil)
			return err
		}
		c.restarts++
		s.event(ctx, ChildRestarted{Supervisor: s.self, ID: c.spec.ID, PID: c.pid, Restarts: c.restarts})
		return nil
	}
	g := s.stopBystanders(ctx, c)
	for i, x := range g {
		if err := s.start(ctx, x); err != nil {
			s.restartFailed(ctx, x, err, g[i+1:])
			return err
		}
		x.restarts++
		s.event(ctx, ChildRestarted{Supervisor: s.self, ID: x.spec.ID, PID: x.pid, Restarts: x.restarts})
	}
	return nil
}

// restartFailed leaves c, which failed to start with err, and the rest of
// its group restarting, and has the restart retried from c.
func (s *sup) restartFailed(ctx actor.Context, c *child, err error, rest []*child) {
	s.setState(c, restarting, actor.PID{})
	for _, y := range rest {
		s.setState(y, restarting, actor.PID{})
	}
	s.event(ctx, RestartFailed{Supervisor: s.self, ID: c.spec.ID, Err: err})
	c.token = s.nextToken()
	msg := retryRestart{c: c, token: c.token}
	if ctx.Send(s.self, msg) != nil {
		s.after(ctx, 0, msg) // the mailbox is full: the timer waits for room
	}
}

// after delivers msg to the supervisor itself after d; the timer dies with
// the supervisor.
func (s *sup) after(ctx actor.Context, d time.Duration, msg any) {
	ctx.SendAfter(d, s.self, msg)
}

// pending reports whether the restart of c that token names is still due:
// c was not started or forgotten since. A child terminated meanwhile is
// not restarted alone, but a group restart still starts every child of the
// group, as OTP's does.
func (s *sup) pending(c *child, token uint64) bool {
	if c.removed || c.token != token || c.state == running {
		return false
	}
	return c.state == restarting || s.cfg.strategy == OneForAll || s.cfg.strategy == RestForOne
}

func (s *sup) nextToken() uint64 {
	s.tokens++
	return s.tokens
}

// start spawns c linked to the supervisor and records it as running.
func (s *sup) start(ctx actor.Context, c *child) error {
	a, opts, err := s.build(c)
	if err != nil {
		return err
	}
	if as, ok := a.(*sup); ok {
		if err := s.adopt(as, c.spec.ID); err != nil {
			return err
		}
	}
	pid, err := ctx.SpawnLink(a, opts...)
	if err != nil {
		return err
	}
	c.token = s.nextToken() // any pending restart of c is void
	s.setState(c, running, pid)
	return nil
}

// build makes c's actor and spawn options.
func (s *sup) build(c *child) (actor.Actor, []actor.Option, error) {
	if c.args != nil || s.dynamic() && s.template.StartWith != nil {
		return s.buildWith(c)
	}
	a, err := c.spec.Start.Build()
	return a, c.opts, err
}

// buildWith makes a dynamic child's actor and options from its arguments.
func (s *sup) buildWith(c *child) (actor.Actor, []actor.Option, error) {
	p, err := startWith(s.template.StartWith, c.args)
	if err != nil {
		return nil, nil, err
	}
	a, err := p.Build()
	opts := slices.Concat(s.template.Start.Options, p.Options)
	if s.template.StartTimeout > 0 {
		opts = append(opts, actor.WithInitTimeout(s.template.StartTimeout))
	}
	return a, opts, err
}

func startWith(f func(...any) actor.Props, args []any) (p actor.Props, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = actor.NewPanicError(actor.PID{}, v)
		}
	}()
	return f(args...), nil
}

// adopt refuses a child actor that is this supervisor or an ancestor, and
// otherwise gives it its line of ancestors.
func (s *sup) adopt(a *sup, id string) error {
	if a == s {
		return &TreeIntegrityViolation{Supervisor: s.self, ID: id, Adoptee: s.self}
	}
	for up := s.up; up != nil; up = up.up {
		if up.s == a {
			return &TreeIntegrityViolation{Supervisor: s.self, ID: id, Adoptee: up.pid}
		}
	}
	a.up = &ancestor{s: s, pid: s.self, up: s.up}
	return nil
}

// setState moves c to state st (with pid when running), keeping the PID
// map and the counters right.
func (s *sup) setState(c *child, st uint8, pid actor.PID) {
	if c.state == running {
		s.byPID.Delete(c.pid)
		s.active--
	}
	if c.spec.Significant {
		if c.state != stopped {
			s.sigLive--
		}
		if st != stopped {
			s.sigLive++
		}
	}
	c.state, c.pid = st, pid
	if st == running {
		s.byPID.Put(pid, c)
		s.active++
	}
}

// add appends c to the start order.
func (s *sup) add(c *child) *child {
	c.prev = s.tail
	if s.tail != nil {
		s.tail.next = c
	} else {
		s.head = c
	}
	s.tail = c
	s.n++
	if !s.dynamic() {
		s.byID[c.spec.ID] = c
	}
	return c
}

// remove forgets c. It must not be running.
func (s *sup) remove(c *child) {
	if c.removed {
		return
	}
	s.setState(c, stopped, actor.PID{})
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		s.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		s.tail = c.prev
	}
	c.prev, c.next, c.removed = nil, nil, true
	s.n--
	if !s.dynamic() {
		delete(s.byID, c.spec.ID)
	}
}
