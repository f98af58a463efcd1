package supervisor

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/airssys/rt/actor"
)

// backoffState tracks the exponential delays of Backoff.
type backoffState struct {
	attempt int       // delays since the last quiet period
	last    time.Time // when the last delayed restart ran
	pending int       // delayed restarts scheduled and not yet received
}

// Internal messages the supervisor sends itself. Each carries the
// strategy its restart was scheduled under (OneForOne for a child a
// decision restarts alone): a pending restart completes as it began, even
// if Reconfigure changed the strategy meanwhile, so that no child of its
// group is left restarting with no restart to come.
type (
	delayedRestart struct {
		c     *child
		token uint64
		st    Strategy
	}
	retryRestart struct {
		c     *child
		token uint64
		st    Strategy
	}
)

// childExited applies the child's restart type after it exited on its own.
func (s *sup) childExited(ctx actor.Context, c *child, reason error) {
	pid := c.pid
	s.view.Lock()
	c.lastExit = reason
	s.view.Unlock()
	s.setState(c, stopped, actor.PID{})
	s.event(ctx, ChildExited{Supervisor: s.self, ID: c.spec.ID, PID: pid, Reason: reason})
	restart := c.spec.Restart == Permanent || c.spec.Restart == Transient && !actor.IsClean(reason)
	if s.probeExited(ctx, c, restart) {
		return
	}
	if !restart {
		if c.spec.Restart == Temporary || s.dynamic() {
			s.remove(c)
		}
		if c.spec.Significant {
			s.autoShutdown(ctx, c)
		}
		return
	}
	if s.cfg.decide != nil {
		s.decide(ctx, c, pid, reason)
		return
	}
	s.restart(ctx, c, s.cfg.strategy)
}

// autoShutdown stops the supervisor if significant child c's exit calls for
// it.
func (s *sup) autoShutdown(ctx actor.Context, c *child) {
	if s.cfg.auto == AnySignificant || s.cfg.auto == AllSignificant && s.sigLive == 0 {
		s.log.Info().Str("child", c.spec.ID).Msg("significant child exited: auto-shutdown")
		ctx.Stop(actor.Shutdown)
	}
}

// restart is one counted restart of c (with its group, per strategy st):
// now if the intensity allows it, otherwise per the escalation.
func (s *sup) restart(ctx actor.Context, c *child, st Strategy) {
	if s.hist.admit(ctx.Now(), s.cfg.intensity, s.cfg.period) {
		_ = s.restartGroup(ctx, c, st) // a failure is retried
		return
	}
	if br, ok := s.cfg.escalation.(Breaker); ok {
		s.openBreaker(ctx, s.breakerOf(c), c, st, br)
		return
	}
	b, ok := s.cfg.escalation.(Backoff)
	if !ok {
		s.giveUp(ctx, c, nil, false)
		return
	}
	now := ctx.Now()
	if s.bo.pending == 0 && now.Sub(s.bo.last) >= s.cfg.period {
		s.bo.attempt = 0 // a quiet period: start again from Base
	}
	d := backoffDelay(b, s.bo.attempt, rand.Float64())
	s.bo.attempt++
	for _, g := range s.stopBystanders(ctx, c, st) {
		s.setState(g, restarting, actor.PID{})
	}
	c.token = s.nextToken()
	s.bo.pending++
	s.after(ctx, d, delayedRestart{c: c, token: c.token, st: st})
	s.event(ctx, RestartDelayed{Supervisor: s.self, ID: c.spec.ID, Delay: d, Attempt: s.bo.attempt})
}

// giveUp ends the supervisor, which then stops the children in reverse
// start order: with reason if a decision gave up (decided), otherwise per
// its escalation.
func (s *sup) giveUp(ctx actor.Context, c *child, reason error, decided bool) {
	if !decided {
		reason = actor.Shutdown
		if s.cfg.escalation == Escalate {
			reason = &RestartLimitExceeded{Intensity: s.cfg.intensity, Period: s.cfg.period}
		}
	}
	s.setLife(c, Failed)
	s.event(ctx, GaveUp{Supervisor: s.self, ID: c.spec.ID, Reason: reason, Decided: decided})
	ctx.Stop(reason)
}

// group returns the children restarted with c under strategy st, in
// start order.
func (s *sup) group(c *child, st Strategy) []*child {
	switch st {
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
// c's group under strategy st and forgets its temporary ones. It returns
// the group left to start, in start order.
func (s *sup) stopBystanders(ctx actor.Context, c *child, st Strategy) []*child {
	g := s.group(c, st)
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

// restartGroup stops c's group under strategy st and starts it again in
// start order. If a child fails to start, it and the children after it are
// left restarting and the restart is retried, counted again, from that
// child; the start error is returned.
func (s *sup) restartGroup(ctx actor.Context, c *child, st Strategy) error {
	if st != OneForAll && st != RestForOne {
		if err := s.start(ctx, c); err != nil {
			s.restartFailed(ctx, c, err, nil, st)
			return err
		}
		s.countRestart(c)
		if c.state == running {
			s.event(ctx, ChildRestarted{Supervisor: s.self, ID: c.spec.ID, PID: c.pid, Restarts: c.restarts})
		}
		return nil
	}
	g := s.stopBystanders(ctx, c, st)
	for i, x := range g {
		if err := s.start(ctx, x); err != nil {
			s.restartFailed(ctx, x, err, g[i+1:], st)
			return err
		}
		s.countRestart(x)
		if x.state == running {
			s.event(ctx, ChildRestarted{Supervisor: s.self, ID: x.spec.ID, PID: x.pid, Restarts: x.restarts})
		}
	}
	return nil
}

// restartFailed leaves c, which failed to start with err, and the rest of
// its group restarting, and has the restart retried from c under the same
// strategy st.
func (s *sup) restartFailed(ctx actor.Context, c *child, err error, rest []*child, st Strategy) {
	s.setState(c, restarting, actor.PID{})
	for _, y := range rest {
		s.setState(y, restarting, actor.PID{})
	}
	s.event(ctx, RestartFailed{Supervisor: s.self, ID: c.spec.ID, Err: err})
	c.token = s.nextToken()
	msg := retryRestart{c: c, token: c.token, st: st}
	if ctx.Send(s.self, msg) != nil {
		// The mailbox is full: a timer to itself is never refused.
		s.after(ctx, 0, msg)
	}
}

// after delivers msg to the supervisor itself after d, past the bound of
// its mailbox (a process's timer to itself is never refused); the timer
// dies with the supervisor. It is refused only once Shutdown has begun,
// which is stopping the supervisor anyway.
func (s *sup) after(ctx actor.Context, d time.Duration, msg any) {
	_, _ = ctx.SendAfter(d, s.self, msg)
}

// pending reports whether the restart of c that token names, scheduled
// under strategy st, is still due: c was not started or forgotten since. A
// child terminated meanwhile is not restarted alone, but a group restart
// still starts every child of the group, as OTP's does.
func (s *sup) pending(c *child, token uint64, st Strategy) bool {
	if c.removed || c.token != token || c.state == running {
		return false
	}
	return c.state == restarting || st == OneForAll || st == RestForOne
}

func (s *sup) nextToken() uint64 {
	s.tokens++
	return s.tokens
}

// countRestart counts a restart of c.
func (s *sup) countRestart(c *child) {
	s.view.Lock()
	c.restarts++
	s.view.Unlock()
}
