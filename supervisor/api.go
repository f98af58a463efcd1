package supervisor

import (
	"context"
	"errors"
	"slices"

	"github.com/airssys/rt/actor"
)

// Requester sends a request and waits for its reply. *system.System and
// actor.Context both satisfy it, so the dynamic API can be called from
// outside the actors or from inside one.
type Requester = actor.Requester

// ChildInfo describes one child, as WhichChildren reports it. PID is zero
// when the child is not running; Restarting says a restart is pending
// (a Backoff delay, a retry, or an Open breaker); Breaker is the state of
// the breaker the child is down with or on probation under (Closed
// otherwise, and always without a Breaker escalation).
type ChildInfo struct {
	ID         string
	PID        actor.PID
	Kind       Kind
	Restarting bool
	Breaker    BreakerState
}

// Counts is what CountChildren reports: Specs children in all (running or
// not; for a dynamic supervisor 1, its template, as in OTP), Active of them
// running, and how many children are Supervisors and Workers.
type Counts struct {
	Specs       int
	Active      int
	Supervisors int
	Workers     int
}

// The dynamic API. Each function is a synchronous request to the
// supervisor, handled between its other messages: ctx bounds the wait, an
// *actor.ExitError means the supervisor exited first, and a PID that is not
// a supervisor never answers (the call ends with ctx). They are safe for
// concurrent use; the supervisor handles requests one at a time.

// StartChild adds child to a static supervisor, after its other children,
// and starts it. Errors: *AlreadyStarted (errors.Is ErrAlreadyStarted) if a
// child with that ID is running, ErrAlreadyPresent if one is not,
// *ChildStartFailed if it did not start (the spec is then not kept), the
// validation errors of a child spec, ErrDynamic for a SimpleOneForOne
// supervisor.
func StartChild(ctx context.Context, r Requester, sup actor.PID, child Child) (actor.PID, error) {
	return call[actor.PID](ctx, r, sup, startChildReq{child})
}

// StartChildWith starts a child of a SimpleOneForOne supervisor from its
// template, passing args to the template's StartWith (and again on each
// restart). Errors: *ChildStartFailed, ErrNoArgs, ErrNotDynamic.
func StartChildWith(ctx context.Context, r Requester, sup actor.PID, args ...any) (actor.PID, error) {
	return call[actor.PID](ctx, r, sup, startChildWithReq{slices.Clone(args)})
}

// TerminateChild stops the child with ID id per its shutdown policy; it is
// then not restarted, and neither its exit nor the stop counts toward the
// intensity or triggers auto-shutdown. The spec is kept (RestartChild
// starts it again) unless the child is Temporary. Terminating a child that
// is not running returns nil. A pending restart of the child is cancelled;
// under OneForAll and RestForOne a pending restart of its group still
// starts it with the group, as in OTP. A child that had to be killed after
// its shutdown timeout is terminated all the same: the call returns nil and
// the ShutdownTimeout event reports the kill. Errors: ErrNotFound,
// ErrDynamic (use TerminateChildPID).
func TerminateChild(ctx context.Context, r Requester, sup actor.PID, id string) error {
	_, err := call[struct{}](ctx, r, sup, terminateChildReq{id: id})
	return err
}

// TerminateChildPID is TerminateChild for the child running as pid, the
// way to stop a dynamic supervisor's child (which is then forgotten). As in
// OTP, a dynamic supervisor answers nil for a PID of its system that is no
// longer alive (a child that has already stopped). Errors: ErrNotFound if
// pid is alive and not a child, or not a child of a static supervisor.
func TerminateChildPID(ctx context.Context, r Requester, sup actor.PID, pid actor.PID) error {
	_, err := call[struct{}](ctx, r, sup, terminateChildReq{pid: pid, byPID: true})
	return err
}

// RestartChild starts again the child with ID id, which is not running
// (terminated, or a transient child that exited cleanly). It does not
// count toward the intensity. A child whose restart is pending (waiting on
// a Backoff delay, or retried after a failed start) is left to it, as in
// OTP: ErrRestarting. Errors: ErrRunning, ErrRestarting, ErrNotFound,
// *ChildStartFailed, ErrDynamic.
func RestartChild(ctx context.Context, r Requester, sup actor.PID, id string) (actor.PID, error) {
	return call[actor.PID](ctx, r, sup, restartChildReq{id})
}

// DeleteChild forgets the spec of the child with ID id, which is not
// running. Errors: ErrRunning, ErrRestarting, ErrNotFound, ErrDynamic.
func DeleteChild(ctx context.Context, r Requester, sup actor.PID, id string) error {
	_, err := call[struct{}](ctx, r, sup, deleteChildReq{id})
	return err
}

// ResetChild closes at once the breaker that the child with ID id is down
// with (or on probation under), or its own, and starts every child waiting
// on it, in start order, without counting toward the intensity; the
// breaker's cool-downs start again from CoolDown. A closed breaker is left
// alone: nil. Errors: *ChildStartFailed for the first child that failed to
// start (it is left stopped; the others are started), ErrNotFound,
// ErrDynamic.
func ResetChild(ctx context.Context, r Requester, sup actor.PID, id string) error {
	_, err := call[struct{}](ctx, r, sup, resetChildReq{id})
	return err
}

// WhichChildren lists the children in start order.
func WhichChildren(ctx context.Context, r Requester, sup actor.PID) ([]ChildInfo, error) {
	return call[[]ChildInfo](ctx, r, sup, whichChildrenReq{})
}

// CountChildren counts the children.
func CountChildren(ctx context.Context, r Requester, sup actor.PID) (Counts, error) {
	return call[Counts](ctx, r, sup, countChildrenReq{})
}

// request is a message of the dynamic API; serve runs in the supervisor
// and returns the reply.
type request interface {
	serve(ctx actor.Context, s *sup) reply
}

type reply struct {
	v   any
	err error
}

func call[T any](ctx context.Context, r Requester, sup actor.PID, req request) (T, error) {
	var zero T
	v, err := r.Request(ctx, sup, req)
	if err != nil {
		return zero, err
	}
	rep, ok := v.(reply)
	if !ok {
		return zero, ErrNotSupervisor
	}
	if rep.err != nil {
		return zero, rep.err
	}
	if rep.v == nil {
		return zero, nil
	}
	t, ok := rep.v.(T)
	if !ok {
		return zero, ErrNotSupervisor
	}
	return t, nil
}

type (
	startChildReq     struct{ child Child }
	startChildWithReq struct{ args []any }
	terminateChildReq struct {
		id    string
		pid   actor.PID
		byPID bool
	}
	restartChildReq  struct{ id string }
	deleteChildReq   struct{ id string }
	resetChildReq    struct{ id string }
	whichChildrenReq struct{}
	countChildrenReq struct{}
)

func (q startChildReq) serve(ctx actor.Context, s *sup) reply {
	if s.dynamic() {
		return reply{err: ErrDynamic}
	}
	spec, err := q.child.check(s.cfg)
	if err != nil {
		return reply{err: err}
	}
	if c, ok := s.byID[spec.ID]; ok {
		if c.state == running {
			return reply{err: &AlreadyStarted{ID: spec.ID, PID: c.pid}}
		}
		return reply{err: ErrAlreadyPresent}
	}
	c := s.add(&child{spec: &spec})
	if err := s.start(ctx, c); err != nil {
		s.remove(c)
		return reply{err: &ChildStartFailed{ID: spec.ID, Err: err}}
	}
	if c.state == running {
		s.event(ctx, ChildStarted{Supervisor: s.self, ID: spec.ID, PID: c.pid})
	}
	return reply{v: c.pid}
}

func (q startChildWithReq) serve(ctx actor.Context, s *sup) reply {
	if !s.dynamic() {
		return reply{err: ErrNotDynamic}
	}
	if len(q.args) > 0 && s.template.StartWith == nil {
		return reply{err: ErrNoArgs}
	}
	c := s.add(&child{spec: &s.template, args: q.args})
	if err := s.start(ctx, c); err != nil {
		s.remove(c)
		return reply{err: &ChildStartFailed{ID: s.template.ID, Err: err}}
	}
	if c.state == running {
		s.event(ctx, ChildStarted{Supervisor: s.self, ID: c.spec.ID, PID: c.pid})
	}
	return reply{v: c.pid}
}

func (q terminateChildReq) serve(ctx actor.Context, s *sup) reply {
	var c *child
	switch {
	case q.byPID:
		c, _ = s.byPID.Get(q.pid)
	case s.dynamic():
		return reply{err: ErrDynamic}
	default:
		c = s.byID[q.id]
	}
	if c == nil {
		if q.byPID && s.dynamic() && !q.pid.IsZero() && !ctx.Alive(q.pid) && ctx.Self().System() == q.pid.System() {
			// As OTP's terminate_child on a simple_one_for_one: a PID
			// that is no longer alive has nothing left to stop.
			return reply{}
		}
		return reply{err: ErrNotFound}
	}
	var err error
	switch c.state {
	case running:
		// A child killed after its shutdown timeout is terminated all the
		// same: the ShutdownTimeout event reports the kill.
		if err = s.stopChild(ctx, c); errors.As(err, new(*ShutdownTimeout)) {
			err = nil
		}
		if b := c.wait; b != nil && b.probe == c {
			// It was its breaker's probe: the breaker goes on with the
			// next member waiting.
			c.wait, b.probe = nil, nil
			s.probeNext(ctx, b)
		}
	case restarting:
		s.setState(c, stopped, actor.PID{})
		c.wait = nil // no longer waiting on a breaker either
		s.brkDirty = true
	}
	if c.spec.Restart == Temporary || s.dynamic() {
		s.remove(c)
	}
	return reply{err: err}
}

// stoppedChild finds static child id for RestartChild and DeleteChild,
// which both refuse dynamic supervisors, unknown IDs and running children.
func (s *sup) stoppedChild(id string) (*child, error) {
	if s.dynamic() {
		return nil, ErrDynamic
	}
	c := s.byID[id]
	switch {
	case c == nil:
		return nil, ErrNotFound
	case c.state == running:
		return nil, ErrRunning
	}
	return c, nil
}

func (q restartChildReq) serve(ctx actor.Context, s *sup) reply {
	c, err := s.stoppedChild(q.id)
	if err != nil {
		return reply{err: err}
	}
	if c.state == restarting {
		// As OTP's restart_child: the pending restart (a retry or a
		// backoff delay) is the supervisor's to do, not the caller's.
		return reply{err: ErrRestarting}
	}
	if err := s.start(ctx, c); err != nil {
		s.setState(c, stopped, actor.PID{})
		return reply{err: &ChildStartFailed{ID: q.id, Err: err}}
	}
	if c.state == running {
		s.event(ctx, ChildStarted{Supervisor: s.self, ID: q.id, PID: c.pid})
	}
	return reply{v: c.pid}
}

func (q deleteChildReq) serve(_ actor.Context, s *sup) reply {
	c, err := s.stoppedChild(q.id)
	if err != nil {
		return reply{err: err}
	}
	if c.state == restarting {
		return reply{err: ErrRestarting}
	}
	s.remove(c)
	return reply{}
}

func (q resetChildReq) serve(ctx actor.Context, s *sup) reply {
	if s.dynamic() {
		return reply{err: ErrDynamic}
	}
	c := s.byID[q.id]
	if c == nil {
		return reply{err: ErrNotFound}
	}
	return reply{err: s.resetBreaker(ctx, c)}
}

func (whichChildrenReq) serve(_ actor.Context, s *sup) reply {
	out := make([]ChildInfo, 0, s.n)
	for c := s.head; c != nil; c = c.next {
		out = append(out, ChildInfo{ID: c.spec.ID, PID: c.pid, Kind: c.spec.Kind, Restarting: c.state == restarting,
			Breaker: s.breakerState(c)})
	}
	return reply{v: out}
}

func (countChildrenReq) serve(_ actor.Context, s *sup) reply {
	n := Counts{Specs: s.n, Active: s.active}
	if s.dynamic() {
		n.Specs = 1 // the template, as OTP counts a simple_one_for_one
	}
	for c := s.head; c != nil; c = c.next {
		if c.spec.Kind == Supervisor {
			n.Supervisors++
		} else {
			n.Workers++
		}
	}
	return reply{v: n}
}
