package supervisor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
)

// Defaults of a Health whose fields are zero, as Kubernetes' liveness
// probe has them.
const (
	// DefaultHealthFailures is how many probes in a row must fail before
	// the child is restarted.
	DefaultHealthFailures = 3
)

// Health makes the supervisor probe a running child, the way a liveness
// probe does: every Interval it sends the child a probe (actor.Context.Probe)
// through the child's mailbox, behind its queued messages. The runtime
// answers the probe for the child when its turn reaches it, calling the
// child's Check if the child is an actor.Checker. A probe fails when no
// answer comes within Timeout or Check returns an error. After Failures
// probes in a row have failed, the supervisor ends the child with an
// *UnhealthyError (errors.Is ErrUnhealthy) and restarts it by its restart
// type; that restart counts toward the intensity like any other.
//
// A child whose last probe went unanswered is killed at once (Go cannot
// preempt a handler: its context is cancelled and its goroutine is
// abandoned, as actor.Kill does; System.Shutdown reports it if it never
// returns). A child that answers but whose Check fails is sent exit signal
// *UnhealthyError and given its Shutdown policy's time to exit, then
// killed. Either way the supervisor's ChildExited event and the restart
// carry the *UnhealthyError; the child's own links and monitors see the
// reason the child actually exited with (Killed after a kill).
//
// Probes run on the system's timers, one per probed child (no goroutine),
// so they follow virtual time in testing/synctest. The zero Health (Interval
// zero) probes nothing and costs nothing.
type Health struct {
	// Interval is the time between probes, the first one Interval after
	// the child started. Zero turns probing off.
	Interval time.Duration
	// Timeout is how long a probe may go unanswered; zero means Interval.
	// It must not exceed Interval.
	Timeout time.Duration
	// Failures is how many probes in a row must fail before the child is
	// restarted; zero means DefaultHealthFailures.
	Failures int
	// StartPeriod, after the child starts, is time in which failed probes
	// do not count; the first probe that succeeds ends it early.
	StartPeriod time.Duration
}

func (h Health) on() bool { return h.Interval > 0 }

// check validates h and applies its defaults.
func (h Health) check(id string) (Health, error) {
	if h == (Health{}) {
		return h, nil
	}
	if h.Interval <= 0 || h.Timeout < 0 || h.Timeout > h.Interval || h.Failures < 0 || h.StartPeriod < 0 {
		return h, fmt.Errorf("%w: child %q: %+v", ErrInvalidHealth, id, h)
	}
	if h.Timeout == 0 {
		h.Timeout = h.Interval
	}
	if h.Failures == 0 {
		h.Failures = DefaultHealthFailures
	}
	return h, nil
}

// ErrUnhealthy is matched (errors.Is) by the *UnhealthyError a supervisor
// ends a child with when its health probes keep failing.
var ErrUnhealthy = errors.New("supervisor: child unhealthy")

// ErrProbeTimeout is the Err of an UnhealthyError whose last probe went
// unanswered within Health.Timeout.
var ErrProbeTimeout = errors.New("supervisor: health probe not answered in time")

// UnhealthyError is the exit reason of a child its health probes found
// unhealthy: Failures probes in a row failed, the last with Err (the
// child's Check error, or ErrProbeTimeout). It matches ErrUnhealthy and
// unwraps to Err.
type UnhealthyError struct {
	ID       string
	Failures int
	Err      error
}

func (e *UnhealthyError) Error() string {
	return fmt.Sprintf("supervisor: child %q unhealthy after %d failed probes: %v", e.ID, e.Failures, e.Err)
}

// Is reports whether target is ErrUnhealthy.
func (e *UnhealthyError) Is(target error) bool { return target == ErrUnhealthy }

// Unwrap returns the last probe's error.
func (e *UnhealthyError) Unwrap() error { return e.Err }

// ChildUnhealthy: Failures health probes of child ID (PID) failed in a
// row, the last with Err; the supervisor is ending the child and will
// restart it by its restart type.
type ChildUnhealthy struct {
	Supervisor actor.PID
	ID         string
	PID        actor.PID
	Failures   int
	Err        error
}

func (ChildUnhealthy) level() zerolog.Level { return zerolog.WarnLevel }
func (ChildUnhealthy) message() string      { return "child unhealthy: ending it" }

func (ev ChildUnhealthy) fields(e *zerolog.Event, _ int) *zerolog.Event {
	return e.Str("child", ev.ID).Stringer("child_pid", ev.PID).Int("failures", ev.Failures).AnErr("reason", ev.Err)
}

func (ev ChildUnhealthy) String() string {
	return fmt.Sprintf("supervisor %v: child %q (%v) unhealthy after %d failed probes: %v", ev.Supervisor, ev.ID, ev.PID, ev.Failures, ev.Err)
}

// healthState is a probed child's probing, created when it first starts.
type healthState struct {
	gen      uint64      // the incarnation probed; ticks of an earlier one are stale
	stop     func() bool // cancels the interval timer
	ref      actor.Ref   // the probe awaiting its answer; zero if none
	timeout  func() bool // cancels that probe's timeout
	failures int         // in a row
	last     error
	since    time.Time // the incarnation's start
	started  bool      // the start period is over
}

// Messages of the probing, sent by the supervisor to itself.
type (
	healthTick struct {
		c   *child
		gen uint64
	}
	healthTimeout struct {
		c   *child
		ref actor.Ref
	}
)

// health returns c's health settings: its own, or the template's for a
// dynamic child.
func (c *child) health() Health { return c.spec.Health }

// armHealth starts probing c, just started as a new incarnation.
func (s *sup) armHealth(ctx actor.Context, c *child) {
	h := c.health()
	if !h.on() {
		return
	}
	if c.pid.System() != s.self.System() {
		// A child on another node (Child.StartLink) cannot be probed:
		// probes go through a local process's own mailbox.
		s.log.Warn().Str("child", c.spec.ID).Stringer("child_pid", c.pid).Msg("health probes need a local child: not probed")
		return
	}
	if c.hp == nil {
		c.hp = &healthState{}
	}
	hp := c.hp
	hp.disarm()
	hp.gen++
	hp.failures, hp.last = 0, nil
	hp.since, hp.started = ctx.Now(), h.StartPeriod == 0
	stop, err := ctx.SendInterval(h.Interval, s.self, healthTick{c: c, gen: hp.gen})
	if err != nil {
		s.log.Warn().Str("child", c.spec.ID).Err(err).Msg("health probes not started")
		return
	}
	hp.stop = stop
}

// disarm stops the probing of the incarnation that ended.
func (hp *healthState) disarm() {
	if hp.stop != nil {
		hp.stop()
		hp.stop = nil
	}
	if hp.timeout != nil {
		hp.timeout()
		hp.timeout = nil
	}
	hp.ref = actor.Ref{}
}

// healthTicked sends the next probe, counting as failed one still
// unanswered.
func (s *sup) healthTicked(ctx actor.Context, m healthTick) {
	c, hp := m.c, m.c.hp
	if hp == nil || hp.gen != m.gen || c.state != running || c.removed {
		return
	}
	if !hp.ref.IsZero() {
		hp.ref = actor.Ref{}
		if s.probeFailed(ctx, c, ErrProbeTimeout) {
			return
		}
	}
	ref, err := ctx.Probe(c.pid)
	if err != nil {
		if !errors.Is(err, actor.ErrNoProcess) {
			s.log.Warn().Str("child", c.spec.ID).Err(err).Msg("health probe refused: probing stopped")
			hp.disarm()
		}
		return // ErrNoProcess: the child has exited, its exit signal is on its way
	}
	hp.ref = ref
	hp.timeout, _ = ctx.SendAfter(c.health().Timeout, s.self, healthTimeout{c: c, ref: ref}) // refused only at Shutdown
}

// healthTimedOut fails the probe ref if it is still unanswered.
func (s *sup) healthTimedOut(ctx actor.Context, m healthTimeout) {
	c, hp := m.c, m.c.hp
	if hp == nil || hp.ref != m.ref || hp.ref.IsZero() || c.state != running {
		return
	}
	hp.ref, hp.timeout = actor.Ref{}, nil
	s.probeFailed(ctx, c, ErrProbeTimeout)
}

// probeAnswered takes a child's answer to its probe.
func (s *sup) probeAnswered(ctx actor.Context, m actor.ProbeResult) {
	c, ok := s.byPID.Get(m.PID)
	if !ok || c.hp == nil || c.hp.ref != m.Ref || m.Ref.IsZero() {
		return // late: its probe timed out, or the child is gone
	}
	hp := c.hp
	hp.ref = actor.Ref{}
	if hp.timeout != nil {
		hp.timeout()
		hp.timeout = nil
	}
	if m.Err != nil {
		s.probeFailed(ctx, c, m.Err)
		return
	}
	hp.failures, hp.last, hp.started = 0, nil, true
	if b := c.wait; b != nil && b.state == HalfOpen && b.probe == c {
		// A breaker's probe with Health passes its probation on its first
		// healthy answer.
		c.wait, b.probe = nil, nil
		s.probeNext(ctx, b)
	}
}

// probeFailed counts a failed probe of c and ends c once the failures reach
// the threshold. It reports whether it ended c.
func (s *sup) probeFailed(ctx actor.Context, c *child, err error) bool {
	hp, h := c.hp, c.health()
	hp.last = err
	if !hp.started {
		if ctx.Now().Sub(hp.since) < h.StartPeriod {
			s.log.Debug().Str("child", c.spec.ID).AnErr("reason", err).Msg("health probe failed in the start period")
			return false
		}
		hp.started = true
	}
	hp.failures++
	s.log.Debug().Str("child", c.spec.ID).Int("failures", hp.failures).AnErr("reason", err).Msg("health probe failed")
	if hp.failures < h.Failures {
		return false
	}
	s.unhealthy(ctx, c)
	return true
}

// unhealthy ends child c, whose probes failed, and handles its exit as
// one it made on its own with an *UnhealthyError.
func (s *sup) unhealthy(ctx actor.Context, c *child) {
	hp, pid := c.hp, c.pid
	reason := &UnhealthyError{ID: c.spec.ID, Failures: hp.failures, Err: hp.last}
	hp.disarm()
	s.event(ctx, ChildUnhealthy{Supervisor: s.self, ID: c.spec.ID, PID: pid, Failures: hp.failures, Err: hp.last})
	var d actor.Down
	var err error
	if errors.Is(hp.last, ErrProbeTimeout) || c.spec.Shutdown.mode == shutdownBrutal {
		d, err = ctx.ExitAndWait(context.Background(), pid, actor.Kill)
	} else {
		d, err = s.endWith(ctx, c, pid, reason)
	}
	if err != nil {
		return // this supervisor is being killed
	}
	if !errors.Is(d.Reason, actor.Killed) && !errors.Is(d.Reason, ErrUnhealthy) && d.Reason != actor.NoProc {
		// It exited on its own before the supervisor's signal reached it.
		s.childExited(ctx, c, d.Reason)
		return
	}
	s.childExited(ctx, c, reason)
}

// endWith sends pid exit signal reason and waits for it to exit within c's
// shutdown policy (Infinity waits as long as it takes), killing it after a
// Timeout.
func (s *sup) endWith(ctx actor.Context, c *child, pid actor.PID, reason error) (actor.Down, error) {
	own := context.Background()
	if c.spec.Shutdown.mode == shutdownInfinity {
		return ctx.ExitAndWait(own, pid, reason)
	}
	wait, cancel := context.WithTimeout(own, c.spec.Shutdown.timeout)
	defer cancel()
	d, err := ctx.ExitAndWait(wait, pid, reason)
	if err == nil || errors.Is(err, actor.ErrNotInProcess) {
		return d, err
	}
	return ctx.ExitAndWait(own, pid, actor.Kill)
}
