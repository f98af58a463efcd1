package supervisor

import (
	"errors"
	"fmt"
	"time"

	"github.com/airssys/rt/actor"
)

// Errors of the supervisor package, often wrapped with detail: compare with
// errors.Is. The first group makes a supervisor's start fail (Spawn returns
// the error); the second answers the dynamic API.
var (
	// ErrInvalidStrategy: Spec.Strategy is not one of the four strategies.
	ErrInvalidStrategy = errors.New("supervisor: invalid strategy")
	// ErrInvalidIntensity: Spec.Intensity is negative (other than
	// NoRestarts).
	ErrInvalidIntensity = errors.New("supervisor: invalid intensity: want 0 for the default, NoRestarts, or more than zero")
	// ErrInvalidPeriod: Spec.Period is negative.
	ErrInvalidPeriod = errors.New("supervisor: invalid period: want 0 for the default, or more than zero")
	// ErrInvalidBackoff: a Backoff needs Base > 0, Max >= Base and Jitter
	// in [0, 1].
	ErrInvalidBackoff = errors.New("supervisor: invalid escalation: want Escalate, Terminate, Breaker or Backoff{Base > 0, Max >= Base, Jitter in [0, 1]}")
	// ErrInvalidBreaker: a Breaker needs CoolDown > 0, MaxCoolDown >=
	// CoolDown, Jitter in [0, 1], Probation > 0 and Quiet >= 0.
	ErrInvalidBreaker = errors.New("supervisor: invalid breaker: want CoolDown > 0, MaxCoolDown >= CoolDown, Jitter in [0, 1], Probation > 0, Quiet >= 0")
	// ErrInvalidAutoShutdown: Spec.AutoShutdown is not Never,
	// AnySignificant or AllSignificant.
	ErrInvalidAutoShutdown = errors.New("supervisor: invalid auto-shutdown")
	// ErrInvalidChild: a child spec field is out of range (empty ID,
	// unknown restart type or kind, negative start timeout, Timeout(d)
	// with d <= 0, StartWith outside a template); the message says which.
	ErrInvalidChild = errors.New("supervisor: invalid child spec")
	// ErrInvalidHealth: a Health needs Interval > 0, Timeout in [0,
	// Interval], Failures >= 0 and StartPeriod >= 0.
	ErrInvalidHealth = errors.New("supervisor: invalid health check: want Interval > 0, 0 <= Timeout <= Interval, Failures >= 0, StartPeriod >= 0")
	// ErrDuplicateID: two children have the same ID.
	ErrDuplicateID = errors.New("supervisor: duplicate child ID")
	// ErrNilFactory: a child spec has no Start.New (nor, for a template,
	// StartWith).
	ErrNilFactory = errors.New("supervisor: child spec has no factory: set Start.New")
	// ErrSignificantPermanent: a significant child must be Transient or
	// Temporary, or it could never stop the supervisor.
	ErrSignificantPermanent = errors.New("supervisor: a significant child cannot be permanent")
	// ErrSignificantWithoutAutoShutdown: significant children need
	// Spec.AutoShutdown set to AnySignificant or AllSignificant.
	ErrSignificantWithoutAutoShutdown = errors.New("supervisor: significant child but AutoShutdown is Never")
	// ErrTemplate: a SimpleOneForOne supervisor takes exactly one child
	// spec, its template.
	ErrTemplate = errors.New("supervisor: a SimpleOneForOne supervisor needs exactly one child spec, its template")

	// ErrAlreadyStarted: StartChild was given the ID of a running child;
	// the error is an *AlreadyStarted carrying its PID.
	ErrAlreadyStarted = errors.New("supervisor: child already started")
	// ErrAlreadyPresent: StartChild was given the ID of a child that is
	// not running; use RestartChild, or DeleteChild first.
	ErrAlreadyPresent = errors.New("supervisor: child spec already present")
	// ErrRunning: RestartChild or DeleteChild on a running child; call
	// TerminateChild first.
	ErrRunning = errors.New("supervisor: child is running")
	// ErrRestarting: DeleteChild on a child whose restart is pending.
	ErrRestarting = errors.New("supervisor: child is restarting")
	// ErrNotFound: no child has that ID (or PID).
	ErrNotFound = errors.New("supervisor: no such child")
	// ErrDynamic: the call is not supported by a SimpleOneForOne
	// supervisor (StartChild with a spec, RestartChild, DeleteChild,
	// TerminateChild by ID); use StartChildWith and TerminateChildPID.
	ErrDynamic = errors.New("supervisor: not supported by a SimpleOneForOne supervisor")
	// ErrNotDynamic: StartChildWith on a supervisor that is not
	// SimpleOneForOne.
	ErrNotDynamic = errors.New("supervisor: StartChildWith needs a SimpleOneForOne supervisor")
	// ErrNoArgs: StartChildWith was given arguments but the template has
	// no StartWith to take them.
	ErrNoArgs = errors.New("supervisor: the template takes no arguments: set Child.StartWith")
	// ErrDynamicStrategy: Reconfigure cannot turn a SimpleOneForOne
	// supervisor into a static one, nor a static one into SimpleOneForOne:
	// their children are of different kinds.
	ErrDynamicStrategy = errors.New("supervisor: cannot change between SimpleOneForOne and a static strategy")
	// ErrInvalidDirective: a Decider returned a Directive that is not one
	// of the five; the supervisor gives up with this error as its reason.
	ErrInvalidDirective = errors.New("supervisor: invalid directive from the decision hook")
	// ErrNotSupervisor: the process answered a supervisor request with
	// something else; the PID is not a supervisor of this package.
	ErrNotSupervisor = errors.New("supervisor: unexpected reply: not a supervisor")
)

// ChildStartFailed is the error of a supervisor whose child could not be
// started: Spawn of the supervisor returns it when a child fails during the
// supervisor's start (those started before it were stopped in reverse
// order), and StartChild and RestartChild return it. Err is the child's
// start error (its Init error, actor.ErrInitTimeout, a *actor.PanicError,
// a *TreeIntegrityViolation…).
type ChildStartFailed struct {
	ID  string
	Err error
}

func (e *ChildStartFailed) Error() string {
	return fmt.Sprintf("supervisor: child %q failed to start: %v", e.ID, e.Err)
}

// Unwrap returns the child's start error.
func (e *ChildStartFailed) Unwrap() error { return e.Err }

// RestartLimitExceeded is the exit reason of a supervisor under Escalate
// that needed more than Intensity restarts within Period.
type RestartLimitExceeded struct {
	Intensity int
	Period    time.Duration
}

func (e *RestartLimitExceeded) Error() string {
	return fmt.Sprintf("supervisor: restart intensity exceeded: more than %d restart(s) in %v", e.Intensity, e.Period)
}

// TreeIntegrityViolation is the start error of a child whose factory
// returned the supervisor itself or one of its ancestors in the tree: the
// same actor value cannot run as two processes. Supervisor refused to adopt
// Adoptee (its own PID or an ancestor's) as child ID.
type TreeIntegrityViolation struct {
	Supervisor actor.PID
	ID         string
	Adoptee    actor.PID
}

func (e *TreeIntegrityViolation) Error() string {
	if e.Adoptee == e.Supervisor {
		return fmt.Sprintf("supervisor: %v refuses to adopt itself as child %q", e.Supervisor, e.ID)
	}
	return fmt.Sprintf("supervisor: %v refuses to adopt its ancestor %v as child %q", e.Supervisor, e.Adoptee, e.ID)
}

// AlreadyStarted is the error of StartChild for an ID whose child is
// running; errors.Is(err, ErrAlreadyStarted) holds.
type AlreadyStarted struct {
	ID  string
	PID actor.PID
}

func (e *AlreadyStarted) Error() string {
	return fmt.Sprintf("supervisor: child %q already started as %v", e.ID, e.PID)
}

// Is reports whether target is ErrAlreadyStarted.
func (e *AlreadyStarted) Is(target error) bool { return target == ErrAlreadyStarted }
