package supervisor

import (
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
)

// Supervision events, published as values on the system's event stream
// (actor.Context.Publish; subscribe with the system's Subscribe) and logged
// through the supervisor's logger with the fields supervisor, child,
// child_pid, reason and restarts. Every event names its Supervisor. Events
// of one supervisor are published in the order they happen. Each event
// type carries its own presentation: String describes it for people, and
// its unexported methods give its log level, fields and message, so that
// an event is defined, published and logged from one place.

// event is what every supervision event implements.
type event interface {
	fmt.Stringer
	// level is the level the event is logged at.
	level() zerolog.Level
	// fields adds the event's fields to its log line. restarts is the
	// number of restarts in the supervisor's intensity window, which the
	// events about the intensity report.
	fields(e *zerolog.Event, restarts int) *zerolog.Event
	// message is the text of the event's log line.
	message() string
}

// event publishes ev on the system's event stream and logs it. Taking an
// event, not any, makes the compiler check that whatever the supervisor
// publishes knows how to log itself.
func (s *sup) event(ctx actor.Context, ev event) {
	ctx.Publish(ev)
	s.logEvent(ev)
}

// logEvent writes ev's log line: at ev's level, with the supervisor's
// fields (supervisor, and pid from the runtime), then ev's own. A line
// below the logger's level costs no formatting.
func (s *sup) logEvent(ev event) {
	e := s.log.WithLevel(ev.level())
	if e == nil {
		return // below the level: not even the fields' arguments are built
	}
	ev.fields(e, s.hist.len()).Msg(ev.message())
}

// ChildStarted: a child was started by the supervisor's start, StartChild,
// StartChildWith or RestartChild.
type ChildStarted struct {
	Supervisor actor.PID
	ID         string
	PID        actor.PID
}

func (ChildStarted) level() zerolog.Level { return zerolog.DebugLevel }
func (ChildStarted) message() string      { return "child started" }

func (ev ChildStarted) fields(e *zerolog.Event, _ int) *zerolog.Event {
	return e.Str("child", ev.ID).Stringer("child_pid", ev.PID)
}

func (ev ChildStarted) String() string {
	return fmt.Sprintf("supervisor %v: child %q started as %v", ev.Supervisor, ev.ID, ev.PID)
}

// ChildExited: a child exited, on its own or stopped by the supervisor
// (TerminateChild, a restart of its siblings, the supervisor's shutdown).
// When a dynamic supervisor stops its children concurrently, a child that
// had already exited when the supervisor came to wait for it is reported
// with the reason it was sent, actor.Shutdown: the runtime no longer knows
// its own.
type ChildExited struct {
	Supervisor actor.PID
	ID         string
	PID        actor.PID
	Reason     error
}

// level is debug for a clean exit (see actor.IsClean), warn otherwise.
func (ev ChildExited) level() zerolog.Level {
	if actor.IsClean(ev.Reason) {
		return zerolog.DebugLevel
	}
	return zerolog.WarnLevel
}

func (ChildExited) message() string { return "child exited" }

func (ev ChildExited) fields(e *zerolog.Event, _ int) *zerolog.Event {
	return e.Str("child", ev.ID).Stringer("child_pid", ev.PID).AnErr("reason", ev.Reason)
}

func (ev ChildExited) String() string {
	return fmt.Sprintf("supervisor %v: child %q (%v) exited: %v", ev.Supervisor, ev.ID, ev.PID, ev.Reason)
}

// ChildRestarted: a child was restarted, as PID; Restarts counts its
// restarts so far.
type ChildRestarted struct {
	Supervisor actor.PID
	ID         string
	PID        actor.PID
	Restarts   int
}

func (ChildRestarted) level() zerolog.Level { return zerolog.InfoLevel }

// SupervisionOutcome counts the event as a restart in the runtime's metrics.
func (ChildRestarted) SupervisionOutcome() actor.SupervisionOutcome { return actor.SupervisionRestart }
func (ChildRestarted) message() string                              { return "child restarted" }

func (ev ChildRestarted) fields(e *zerolog.Event, _ int) *zerolog.Event {
	return e.Str("child", ev.ID).Stringer("child_pid", ev.PID).Int("restarts", ev.Restarts)
}

func (ev ChildRestarted) String() string {
	return fmt.Sprintf("supervisor %v: child %q restarted as %v (restart %d)", ev.Supervisor, ev.ID, ev.PID, ev.Restarts)
}

// RestartFailed: a child could not be started during a restart; the
// restart is retried and counted again, as in OTP.
type RestartFailed struct {
	Supervisor actor.PID
	ID         string
	Err        error
}

func (RestartFailed) level() zerolog.Level { return zerolog.ErrorLevel }
func (RestartFailed) message() string      { return "child failed to restart; retrying" }

func (ev RestartFailed) fields(e *zerolog.Event, _ int) *zerolog.Event {
	return e.Str("child", ev.ID).AnErr("reason", ev.Err)
}

func (ev RestartFailed) String() string {
	return fmt.Sprintf("supervisor %v: child %q failed to restart, retrying: %v", ev.Supervisor, ev.ID, ev.Err)
}

// RestartDelayed: under Backoff, the restart of the children whose ID is
// given was put off by Delay; Attempt counts the delays since the last
// quiet period, from 1.
type RestartDelayed struct {
	Supervisor actor.PID
	ID         string
	Delay      time.Duration
	Attempt    int
}

func (RestartDelayed) level() zerolog.Level { return zerolog.WarnLevel }
func (RestartDelayed) message() string      { return "restart intensity exceeded: restart delayed" }

func (ev RestartDelayed) fields(e *zerolog.Event, restarts int) *zerolog.Event {
	return e.Str("child", ev.ID).Dur("delay", ev.Delay).Int("attempt", ev.Attempt).Int("restarts", restarts)
}

func (ev RestartDelayed) String() string {
	return fmt.Sprintf("supervisor %v: restart intensity exceeded: restart of child %q delayed by %v (attempt %d)",
		ev.Supervisor, ev.ID, ev.Delay, ev.Attempt)
}

// GaveUp: restarts exceeded the intensity (the exit of child ID called for
// one too many), or the Decider decided GiveUp about child ID's exit
// (Decided), and the supervisor is stopping its children and exiting with
// Reason: a *RestartLimitExceeded under Escalate, actor.Shutdown under
// Terminate, the Decision's reason (or the child's exit reason) when
// Decided, an *actor.PanicError when the Decider panicked.
type GaveUp struct {
	Supervisor actor.PID
	ID         string
	Reason     error
	Decided    bool
}

func (GaveUp) level() zerolog.Level { return zerolog.ErrorLevel }

// SupervisionOutcome counts the event in the runtime's metrics as an
// escalation when the supervisor exits with a *RestartLimitExceeded (its
// parent decides), and as a give-up otherwise.
func (ev GaveUp) SupervisionOutcome() actor.SupervisionOutcome {
	var rle *RestartLimitExceeded
	if errors.As(ev.Reason, &rle) {
		return actor.SupervisionEscalation
	}
	return actor.SupervisionGiveUp
}

func (ev GaveUp) message() string {
	if ev.Decided {
		return "decided to give up"
	}
	return "restart intensity exceeded: giving up"
}

func (ev GaveUp) fields(e *zerolog.Event, restarts int) *zerolog.Event {
	return e.Str("child", ev.ID).AnErr("reason", ev.Reason).Int("restarts", restarts)
}

func (ev GaveUp) String() string {
	if ev.Decided {
		return fmt.Sprintf("supervisor %v: decided to give up after child %q exited: %v", ev.Supervisor, ev.ID, ev.Reason)
	}
	return fmt.Sprintf("supervisor %v: restart intensity exceeded after child %q exited: giving up: %v",
		ev.Supervisor, ev.ID, ev.Reason)
}

// Decided: the Decider decided Decision about child ID's exit (as PID,
// with reason Exit), before the supervisor carries it out. A panic in the
// Decider is reported as the decision GiveUp with the *actor.PanicError as
// its reason.
type Decided struct {
	Supervisor actor.PID
	ID         string
	PID        actor.PID
	Exit       error
	Decision   Decision
}

// level is debug for Restart, what happens without a Decider; info for
// RestartAlone; warn for Stop and Delete, which leave the child down; error
// for GiveUp.
func (ev Decided) level() zerolog.Level {
	switch ev.Decision.Directive {
	case Restart:
		return zerolog.DebugLevel
	case RestartAlone:
		return zerolog.InfoLevel
	case Stop, Delete:
		return zerolog.WarnLevel
	}
	return zerolog.ErrorLevel
}

func (Decided) message() string { return "decided about a child's exit" }

func (ev Decided) fields(e *zerolog.Event, _ int) *zerolog.Event {
	return e.Str("child", ev.ID).Stringer("child_pid", ev.PID).AnErr("reason", ev.Exit).
		Stringer("decision", ev.Decision.Directive).AnErr("decision_reason", ev.Decision.Reason)
}

func (ev Decided) String() string {
	why := ""
	if ev.Decision.Reason != nil {
		why = ": " + ev.Decision.Reason.Error()
	}
	return fmt.Sprintf("supervisor %v: child %q (%v) exited: %v: decided %v%s",
		ev.Supervisor, ev.ID, ev.PID, ev.Exit, ev.Decision.Directive, why)
}

// ShutdownTimeout: child ID (PID) did not exit within Timeout of the exit
// signal Shutdown and was killed; its Terminate did not complete. It is
// also the error TerminateChild returns in that case (the child is gone
// either way).
type ShutdownTimeout struct {
	Supervisor actor.PID
	ID         string
	PID        actor.PID
	Timeout    time.Duration
}

func (ShutdownTimeout) level() zerolog.Level { return zerolog.WarnLevel }
func (ShutdownTimeout) message() string      { return "child did not stop in time: killed" }

func (ev ShutdownTimeout) fields(e *zerolog.Event, _ int) *zerolog.Event {
	return e.Str("child", ev.ID).Stringer("child_pid", ev.PID).Dur("timeout", ev.Timeout)
}

func (ev ShutdownTimeout) String() string {
	return fmt.Sprintf("supervisor %v: child %q (%v) did not stop within %v: killed", ev.Supervisor, ev.ID, ev.PID, ev.Timeout)
}

func (e *ShutdownTimeout) Error() string {
	return fmt.Sprintf("supervisor: child %q (%v) did not stop within %v and was killed", e.ID, e.PID, e.Timeout)
}

// Reconfigured: Reconfigure changed the supervisor's configuration; Spec
// is the one now in effect, as CurrentSpec reports it.
type Reconfigured struct {
	Supervisor actor.PID
	Spec       Spec
}

func (Reconfigured) level() zerolog.Level { return zerolog.InfoLevel }
func (Reconfigured) message() string      { return "supervisor reconfigured" }

func (ev Reconfigured) fields(e *zerolog.Event, restarts int) *zerolog.Event {
	return e.Stringer("strategy", ev.Spec.Strategy).Int("intensity", max(ev.Spec.Intensity, 0)).
		Dur("period", ev.Spec.Period).Str("escalation", fmt.Sprint(ev.Spec.Escalation)).
		Bool("decider", ev.Spec.Decide != nil).Int("restarts", restarts)
}

// String gives the intensity as the number of restarts allowed (0 for
// NoRestarts).
func (ev Reconfigured) String() string {
	decider := ""
	if ev.Spec.Decide != nil {
		decider = ", with a decider"
	}
	return fmt.Sprintf("supervisor %v: reconfigured: %v, %d restart(s) in %v, %v%s",
		ev.Supervisor, ev.Spec.Strategy, max(ev.Spec.Intensity, 0), ev.Spec.Period, ev.Spec.Escalation, decider)
}

// BreakerOpened: under a Breaker escalation, the restart of child ID was
// one too many (or ID failed on probation, or failed to start as the
// probe) and breaker Breaker (the child's ID, or its Child.Breaker) opened
// for Children, which are down and wait for CoolDown; Attempt counts the
// openings since the last quiet period, from 1.
type BreakerOpened struct {
	Supervisor actor.PID
	Breaker    string
	ID         string
	Children   []string
	CoolDown   time.Duration
	Attempt    int
}

func (BreakerOpened) level() zerolog.Level { return zerolog.WarnLevel }
func (BreakerOpened) message() string      { return "breaker opened" }

func (ev BreakerOpened) fields(e *zerolog.Event, restarts int) *zerolog.Event {
	return e.Str("breaker", ev.Breaker).Str("child", ev.ID).Strs("children", ev.Children).
		Dur("cool_down", ev.CoolDown).Int("attempt", ev.Attempt).Int("restarts", restarts)
}

func (ev BreakerOpened) String() string {
	return fmt.Sprintf("supervisor %v: breaker %q opened after child %q failed: %v down for %v (attempt %d)",
		ev.Supervisor, ev.Breaker, ev.ID, ev.Children, ev.CoolDown, ev.Attempt)
}

// BreakerHalfOpen: breaker Breaker's cool-down (or the probation of the
// child before) is over and child ID was started as PID on probation: if
// it stays up for Probation, the next child is probed or the breaker
// closes.
type BreakerHalfOpen struct {
	Supervisor actor.PID
	Breaker    string
	ID         string
	PID        actor.PID
	Probation  time.Duration
}

func (BreakerHalfOpen) level() zerolog.Level { return zerolog.InfoLevel }
func (BreakerHalfOpen) message() string      { return "breaker half-open: child on probation" }

func (ev BreakerHalfOpen) fields(e *zerolog.Event, _ int) *zerolog.Event {
	return e.Str("breaker", ev.Breaker).Str("child", ev.ID).Stringer("child_pid", ev.PID).Dur("probation", ev.Probation)
}

func (ev BreakerHalfOpen) String() string {
	return fmt.Sprintf("supervisor %v: breaker %q half-open: child %q started as %v on probation for %v",
		ev.Supervisor, ev.Breaker, ev.ID, ev.PID, ev.Probation)
}

// BreakerClosed: breaker Breaker closed, every child that was down with it
// having passed its probation, or at once by ResetChild (Reset).
type BreakerClosed struct {
	Supervisor actor.PID
	Breaker    string
	Reset      bool
}

func (BreakerClosed) level() zerolog.Level { return zerolog.InfoLevel }
func (BreakerClosed) message() string      { return "breaker closed" }

func (ev BreakerClosed) fields(e *zerolog.Event, _ int) *zerolog.Event {
	return e.Str("breaker", ev.Breaker).Bool("reset", ev.Reset)
}

func (ev BreakerClosed) String() string {
	how := "every child passed its probation"
	if ev.Reset {
		how = "reset"
	}
	return fmt.Sprintf("supervisor %v: breaker %q closed: %s", ev.Supervisor, ev.Breaker, how)
}
