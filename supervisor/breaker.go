package supervisor

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/airssys/rt/actor"
)

// Breaker is the circuit-breaker escalation: beyond the intensity the
// failed child's breaker opens instead of the supervisor giving up. While
// it is Open the child is down and not restarted. After a cool-down it is
// HalfOpen: the child is started once, on probation; if it stays up for
// Probation (or, for a child with Health, answers its first health probe
// before that) the breaker closes, and if it exits before, the breaker opens
// again with a cool-down twice as long, up to MaxCoolDown, plus a random
// jitter in [0, Jitter×cool-down). The doubling starts again from
// CoolDown once the breaker has not opened for Quiet (zero: the Spec's
// Period). ResetChild closes a breaker at once.
//
// The children that would have been restarted with the failed one (its
// group under OneForAll and RestForOne) are stopped and wait with it, and
// so do the children that share its breaker (Child.Breaker names a
// breaker shared by siblings that depend on one resource): when one
// opens, it opens for all of them. They are then probed one at a time, in
// start order, each after the one before passed its probation, and the
// breaker closes when the last has. A probe's start counts as a restart of
// the child (ChildRestarted) but not toward the intensity; a probe's
// failure is the breaker's to handle, not the Decider's. While a child
// waits, RestartChild and DeleteChild refuse it (ErrRestarting) and
// TerminateChild leaves it stopped when the breaker closes.
//
// While a child waits behind a breaker (Open, or HalfOpen before its turn),
// its registered name (actor.WithName in its Start options) is held by a
// stand-in process that refuses every message with ErrCircuitOpen: a
// dead letter with that reason, and a Request to the name fails with it at
// once, so callers fail fast instead of timing out. The name is the
// child's again when it starts.
//
// CoolDown and Probation must be more than zero, MaxCoolDown at least
// CoolDown, Jitter in [0, 1], Quiet not negative.
type Breaker struct {
	CoolDown    time.Duration
	MaxCoolDown time.Duration
	Jitter      float64
	Probation   time.Duration
	Quiet       time.Duration
}

func (Breaker) escalation() {}

func (b Breaker) String() string {
	return fmt.Sprintf("breaker(cool-down %v, max %v, jitter %v, probation %v, quiet %v)",
		b.CoolDown, b.MaxCoolDown, b.Jitter, b.Probation, b.Quiet)
}

// BreakerState is the state of a child's breaker, as WhichChildren reports
// it.
type BreakerState uint8

const (
	// Closed: the child is restarted as the intensity allows.
	Closed BreakerState = iota
	// Open: the child is down, waiting for its breaker's cool-down (or for
	// the siblings before it to pass their probation).
	Open
	// HalfOpen: the child has been started on probation.
	HalfOpen
)

func (b BreakerState) String() string {
	switch b {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half_open"
	}
	return fmt.Sprintf("BreakerState(%d)", uint8(b))
}

// breaker is one breaker: a child's own, or the one its siblings of the
// same Child.Breaker share. While it is not Closed, members are the
// children down with it, in start order, and each of them points to it
// (child.wait) until it passes its probation or the breaker closes.
type breaker struct {
	name    string
	group   bool    // shared by the children of Child.Breaker name
	cfg     Breaker // the configuration it opened with
	state   BreakerState
	attempt int       // openings since the last quiet period
	opened  time.Time // when it last opened
	members []*child  // the children still waiting, in start order
	probe   *child    // the child on probation (HalfOpen)
	token   uint64    // identifies the pending timer; a stale one is ignored
}

// Internal messages of the breakers' timers.
type (
	breakerCooled struct {
		b     *breaker
		token uint64
	}
	breakerProbation struct {
		b     *breaker
		token uint64
	}
)

// breakerOf returns c's own breaker (its siblings' of the same
// Child.Breaker), made on first use.
func (s *sup) breakerOf(c *child) *breaker {
	if c.brk != nil {
		return c.brk
	}
	name := c.spec.Breaker
	if name == "" {
		c.brk = &breaker{name: c.spec.ID}
		return c.brk
	}
	if s.breakers == nil {
		s.breakers = map[string]*breaker{}
	}
	if s.breakers[name] == nil {
		s.breakers[name] = &breaker{name: name, group: true}
	}
	c.brk = s.breakers[name]
	return c.brk
}

// openBreaker opens breaker b because of child c: after c's restart under
// strategy st was refused by the intensity (b is c's own breaker), or
// after c, b's probe, failed. c, the rest of its group and the siblings
// sharing b are stopped and wait out the cool-down. A child already
// waiting on another breaker stays with that one.
func (s *sup) openBreaker(ctx actor.Context, b *breaker, c *child, st Strategy, cfg Breaker) {
	shares := func(x *child) bool { return x == c || b.group && x.spec.Breaker == b.name }
	free := func(x *child) bool { return x.wait == nil || x.wait == b || x.wait.probe == x }
	down := map[*child]bool{}
	for _, x := range s.stopBystanders(ctx, c, st) {
		down[x] = free(x)
	}
	for x := s.tail; x != nil; {
		prev := x.prev
		if shares(x) && free(x) && x.state != stopped {
			if x.state == running {
				s.stopChild(ctx, x)
			}
			if x.spec.Restart == Temporary {
				s.remove(x)
			} else {
				down[x] = true
			}
		}
		x = prev
	}
	down[c] = true
	// The members still waiting for their turn to be probed wait again.
	for _, x := range b.members {
		if x.wait == b && !x.removed {
			down[x] = true
		}
	}

	now := ctx.Now()
	quiet := cfg.Quiet
	if quiet == 0 {
		quiet = s.cfg.period
	}
	if now.Sub(b.opened) >= quiet {
		b.attempt = 0 // a quiet period: start again from CoolDown
	}
	d := backoffDelay(Backoff{Base: cfg.CoolDown, Max: cfg.MaxCoolDown, Jitter: cfg.Jitter}, b.attempt, rand.Float64())
	b.attempt++
	b.opened = now
	s.brkDirty = true
	b.cfg, b.state, b.probe, b.members = cfg, Open, nil, b.members[:0]
	var ids []string
	for x := s.head; x != nil; x = x.next {
		if down[x] && !x.removed {
			s.setState(x, restarting, actor.PID{})
			x.token = s.nextToken() // void any other pending restart
			if old := x.wait; old != nil && old != b {
				// x was old's probe, stopped with this group: old goes on
				// with its next child.
				old.probe, old.state = nil, Open
				old.token = s.nextToken()
				s.after(ctx, 0, breakerCooled{b: old, token: old.token})
			}
			x.wait = b
			s.holdName(ctx, x)
			b.members = append(b.members, x)
			ids = append(ids, x.spec.ID)
		}
	}
	b.token = s.nextToken()
	s.after(ctx, d, breakerCooled{b: b, token: b.token})
	s.event(ctx, BreakerOpened{Supervisor: s.self, Breaker: b.name, ID: c.spec.ID, Children: ids, CoolDown: d, Attempt: b.attempt})
}

// cooled makes b HalfOpen once its cool-down has passed.
func (s *sup) cooled(ctx actor.Context, m breakerCooled) {
	if m.token == m.b.token && m.b.state == Open {
		s.probeNext(ctx, m.b)
	}
}

// passed closes the probation of b's probe, which stayed up, and probes
// the next child.
func (s *sup) passed(ctx actor.Context, m breakerProbation) {
	b := m.b
	if m.token != b.token || b.state != HalfOpen || b.probe == nil || b.probe.state != running {
		return
	}
	b.probe.wait, b.probe = nil, nil
	s.probeNext(ctx, b)
}

// probeNext starts b's next waiting child on probation, or closes b when
// none is left. A child that fails to start opens b again.
func (s *sup) probeNext(ctx actor.Context, b *breaker) {
	s.brkDirty = true
	for len(b.members) > 0 {
		x := b.members[0]
		if x.removed || x.state != restarting || x.wait != b {
			b.members = b.members[1:] // terminated or deleted while it waited
			if x.wait == b {
				x.wait = nil
			}
			continue
		}
		if err := s.start(ctx, x); err != nil {
			s.setState(x, restarting, actor.PID{})
			s.event(ctx, RestartFailed{Supervisor: s.self, ID: x.spec.ID, Err: err})
			s.openBreaker(ctx, b, x, OneForOne, b.cfg)
			return
		}
		b.members = b.members[1:]
		if x.state != running {
			x.wait = nil
			continue // declined to start (actor.Ignore): nothing to probe
		}
		s.countRestart(x)
		s.event(ctx, ChildRestarted{Supervisor: s.self, ID: x.spec.ID, PID: x.pid, Restarts: x.restarts})
		b.state, b.probe = HalfOpen, x
		b.token = s.nextToken()
		s.after(ctx, b.cfg.Probation, breakerProbation{b: b, token: b.token})
		s.event(ctx, BreakerHalfOpen{Supervisor: s.self, Breaker: b.name, ID: x.spec.ID, PID: x.pid, Probation: b.cfg.Probation})
		return
	}
	s.closeBreaker(ctx, b, false)
}

// closeBreaker closes b; reset says ResetChild asked for it, which also
// starts the cool-downs again from CoolDown.
func (s *sup) closeBreaker(ctx actor.Context, b *breaker, reset bool) {
	s.brkDirty = true
	for _, x := range b.members {
		if x.wait == b {
			x.wait = nil
		}
	}
	if b.probe != nil && b.probe.wait == b {
		b.probe.wait = nil
	}
	b.state, b.probe, b.members = Closed, nil, nil
	b.token = s.nextToken()
	if reset {
		b.attempt = 0
	}
	s.event(ctx, BreakerClosed{Supervisor: s.self, Breaker: b.name, Reset: reset})
}

// probeExited handles the exit of child c if it is a breaker's probe; it
// reports whether it was. A probe that fails (restart says its restart
// type would restart it) opens the breaker again with a longer cool-down;
// one that ends cleanly is done, and the next child is probed.
func (s *sup) probeExited(ctx actor.Context, c *child, restart bool) bool {
	b := c.wait
	if b == nil || b.state != HalfOpen || b.probe != c {
		return false
	}
	if !restart {
		c.wait, b.probe = nil, nil
		s.probeNext(ctx, b)
		return false // the restart type's rule applies as usual
	}
	s.openBreaker(ctx, b, c, OneForOne, b.cfg)
	return true
}

// breakerState is child c's breaker state, as WhichChildren reports it.
func (s *sup) breakerState(c *child) BreakerState {
	switch b := c.wait; {
	case b == nil:
		return Closed
	case b.probe == c:
		return HalfOpen
	case c.state == restarting:
		return Open
	}
	return Closed
}

// resetBreaker closes at once the breaker c waits on (or its own) and
// starts the children waiting on it, in start order. It returns the first
// start error as a *ChildStartFailed; that child is left stopped.
func (s *sup) resetBreaker(ctx actor.Context, c *child) error {
	b := c.wait
	if b == nil {
		b = c.brk
	}
	if b == nil || b.state == Closed {
		return nil
	}
	waiting := b.members
	s.closeBreaker(ctx, b, true)
	var first error
	for _, x := range waiting {
		if x.removed || x.state != restarting {
			continue
		}
		if err := s.start(ctx, x); err != nil {
			s.setState(x, stopped, actor.PID{})
			if first == nil {
				first = &ChildStartFailed{ID: x.spec.ID, Err: err}
			}
			continue
		}
		if x.state == running {
			s.event(ctx, ChildStarted{Supervisor: s.self, ID: x.spec.ID, PID: x.pid})
		}
	}
	return first
}
