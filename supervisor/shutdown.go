package supervisor

import (
	"context"
	"errors"

	"github.com/airssys/rt/actor"
)

// stopAll stops every child in reverse start order (a dynamic supervisor's
// concurrently) and forgets pending restarts.
func (s *sup) stopAll(ctx actor.Context) {
	if s.dynamic() {
		s.stopDynamic(ctx)
		return
	}
	for c := s.tail; c != nil; c = c.prev {
		switch c.state {
		case running:
			s.stopChild(ctx, c)
		case restarting:
			s.setState(c, stopped, actor.PID{})
		}
	}
}

// stopChild stops running child c per its shutdown policy. It returns a
// *ShutdownTimeout if c had to be killed after its timeout, or
// actor.ErrNotInProcess if the supervisor is killed while it waits (the
// child then goes with it, through its link, and no ChildExited is
// published).
func (s *sup) stopChild(ctx actor.Context, c *child) error {
	pid := c.pid
	s.setState(c, stopped, actor.PID{})
	s.setLife(c, Stopping)
	reason, err := s.shutdown(ctx, c, pid, nil)
	s.setLife(c, Stopped)
	if reason == nil {
		return err
	}
	s.event(ctx, ChildExited{Supervisor: s.self, ID: c.spec.ID, PID: pid, Reason: reason})
	return err
}

// shutdown stops pid, child c's process, per c's policy and returns its
// exit reason. wait, if not nil, is the deadline of a Timeout policy
// shared by several children stopping together. err is a *ShutdownTimeout
// when the child was killed after its timeout (reason is then Killed), or
// actor.ErrNotInProcess when the supervisor is killed while it waits
// (reason is then nil: the child's exit was not seen).
//
// The waits are not bounded by the supervisor's own context: that is
// cancelled as soon as the supervisor is told to stop, and stopping its
// children in order within their policies is what it then does.
func (s *sup) shutdown(ctx actor.Context, c *child, pid actor.PID, wait context.Context) (reason error, err error) {
	own := context.Background()
	var d actor.Down
	switch c.spec.Shutdown.mode {
	case shutdownBrutal:
		d, err = ctx.ExitAndWait(own, pid, actor.Kill)
	case shutdownInfinity:
		d, err = ctx.ExitAndWait(own, pid, actor.Shutdown)
	default:
		t := c.spec.Shutdown.timeout
		if wait == nil {
			var cancel context.CancelFunc
			wait, cancel = context.WithTimeout(own, t)
			defer cancel()
		}
		d, err = ctx.ExitAndWait(wait, pid, actor.Shutdown)
		if err == nil || errors.Is(err, actor.ErrNotInProcess) {
			break
		}
		if d, err = ctx.ExitAndWait(own, pid, actor.Kill); err == nil && errors.Is(d.Reason, actor.Killed) {
			ev := ShutdownTimeout{Supervisor: s.self, ID: c.spec.ID, PID: pid, Timeout: t}
			s.event(ctx, ev)
			return d.Reason, &ev
		}
	}
	if err != nil {
		return nil, err
	}
	return d.Reason, nil
}

// stopDynamic stops a dynamic supervisor's children concurrently: exit
// signal Shutdown to all of them first, in reverse start order, then a wait
// for each, with one deadline for all under Timeout.
func (s *sup) stopDynamic(ctx actor.Context) {
	type stopping struct {
		c   *child
		pid actor.PID
	}
	kids := make([]stopping, 0, s.active)
	for c := s.tail; c != nil; {
		prev := c.prev
		if c.state == running {
			kids = append(kids, stopping{c, c.pid})
		}
		s.remove(c)
		c = prev
	}
	wait := context.Context(nil)
	if p := s.template.Shutdown; p.mode != shutdownBrutal {
		wait = context.Background() // see shutdown
		for _, k := range kids {
			_ = ctx.Exit(k.pid, actor.Shutdown)
		}
		if p.mode == shutdownTimeout {
			var cancel context.CancelFunc
			wait, cancel = context.WithTimeout(wait, p.timeout)
			defer cancel()
		}
	}
	for _, k := range kids {
		reason, _ := s.shutdown(ctx, k.c, k.pid, wait)
		if reason == nil {
			continue // this supervisor is being killed: see stopChild
		}
		if reason == actor.NoProc && wait != nil {
			// It exited between the signal and the wait; the runtime
			// cannot tell its reason any more, so report the signal.
			reason = actor.Shutdown
		}
		s.event(ctx, ChildExited{Supervisor: s.self, ID: k.c.spec.ID, PID: k.pid, Reason: reason})
	}
}
