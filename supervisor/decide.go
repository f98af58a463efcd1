package supervisor

import (
	"fmt"

	"github.com/airssys/rt/actor"
)

// Decider decides, per failure, what a supervisor does about a child's
// exit (Spec.Decide), where OTP decides by the restart type alone. It is
// asked only about exits the child's restart type would restart (any exit
// of a Permanent child, an abnormal one of a Transient child) and that the
// supervisor did not cause itself; a Temporary child, a Transient child's
// clean exit, TerminateChild and the bystanders of a group restart are
// never put to it.
//
// It runs in the supervisor's turn, between two of its messages, so it
// sees the supervisor as it is and must not block: while it runs the
// supervisor handles nothing else. A panic in it makes the supervisor give
// up, as the GiveUp directive does, with the panic (an *actor.PanicError
// naming the supervisor) as its exit reason. A Decider may be called from
// a different goroutine each time, never from two at once by the same
// supervisor.
type Decider func(Failure) Decision

// Failure is a child's exit, as a Decider is told it.
type Failure struct {
	// ID is the child's ID (a dynamic child's is its template's).
	ID string
	// PID is the process that exited.
	PID actor.PID
	// Reason is its exit reason.
	Reason error
	// Restarts counts the child's restarts before this exit, as
	// ChildRestarted.Restarts does.
	Restarts int
}

// Directive is what a Decider tells the supervisor to do with a failed
// child.
type Directive uint8

const (
	// Restart restarts the child with its group, as the strategy says and
	// as a supervisor without a Decider does. It counts toward the
	// intensity, and beyond it the escalation decides.
	Restart Directive = iota
	// RestartAlone restarts only the child, even under OneForAll and
	// RestForOne: its siblings keep running. It counts toward the
	// intensity like Restart; a Backoff delay restarts it alone too.
	RestartAlone
	// Stop leaves the child stopped and keeps its spec, as TerminateChild
	// does: RestartChild starts it again. A dynamic child has no spec of
	// its own and is forgotten. Nothing is counted; a significant child
	// may stop the supervisor (see AutoShutdown).
	Stop
	// Delete forgets the child and its spec, as DeleteChild does. Nothing
	// is counted; a significant child may stop the supervisor.
	Delete
	// GiveUp gives up at once, as if the intensity were exceeded whatever
	// the escalation (a Backoff too): the supervisor stops every child in
	// reverse start order and exits with Decision.Reason, or with the
	// child's exit reason if that is nil. Mind that a clean child reason
	// (a Permanent child that exited Normal) then makes a clean exit,
	// which a Transient parent does not restart: give a Reason to escalate
	// as a failure.
	GiveUp
)

func (d Directive) String() string {
	switch d {
	case Restart:
		return "restart"
	case RestartAlone:
		return "restart_alone"
	case Stop:
		return "stop"
	case Delete:
		return "delete"
	case GiveUp:
		return "give_up"
	}
	return fmt.Sprintf("Directive(%d)", uint8(d))
}

// Decision is a Decider's answer: a Directive and why. The zero Decision
// is Restart, what a supervisor without a Decider does.
type Decision struct {
	Directive Directive
	// Reason says why, for the Decided event and the log; it may be nil.
	// Under GiveUp it is the supervisor's exit reason (nil: the child's).
	Reason error
}

// decide puts child c's exit (as pid, with reason) to the Decider and
// carries out its decision, which it publishes first.
func (s *sup) decide(ctx actor.Context, c *child, pid actor.PID, reason error) {
	d := s.ask(Failure{ID: c.spec.ID, PID: pid, Reason: reason, Restarts: c.restarts})
	if d.Directive == GiveUp && d.Reason == nil {
		d.Reason = reason
	}
	s.event(ctx, Decided{Supervisor: s.self, ID: c.spec.ID, PID: pid, Exit: reason, Decision: d})
	switch d.Directive {
	case Restart:
		s.restart(ctx, c, s.cfg.strategy)
	case RestartAlone:
		s.restart(ctx, c, OneForOne)
	case Stop, Delete:
		if d.Directive == Delete || s.dynamic() {
			s.remove(c)
		}
		if c.spec.Significant {
			s.autoShutdown(ctx, c)
		}
	default:
		s.giveUp(ctx, c, d.Reason, true)
	}
}

// ask calls the Decider, turning a panic in it, or a directive out of
// range, into GiveUp.
func (s *sup) ask(f Failure) (d Decision) {
	defer func() {
		if v := recover(); v != nil {
			d = Decision{Directive: GiveUp, Reason: actor.NewPanicError(s.self, v)}
		}
	}()
	d = s.cfg.decide(f)
	if d.Directive > GiveUp {
		d = Decision{Directive: GiveUp, Reason: fmt.Errorf("%w: %v", ErrInvalidDirective, d.Directive)}
	}
	return d
}
