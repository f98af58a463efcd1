package supervisor

import (
	"fmt"
	"time"

	"github.com/airssys/rt/actor"
)

// Supervision events, published as values on the system's event stream
// (actor.Context.Publish; subscribe with the system's Subscribe) and logged
// through the supervisor's logger with the fields supervisor, child,
// child_pid, reason and restarts. Every event names its Supervisor. Events
// of one supervisor are published in the order they happen.

// ChildStarted: a child was started by the supervisor's start, StartChild,
// StartChildWith or RestartChild.
type ChildStarted struct {
	Supervisor actor.PID
	ID         string
	PID        actor.PID
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

// ChildRestarted: a child was restarted, as PID; Restarts counts its
// restarts so far.
type ChildRestarted struct {
	Supervisor actor.PID
	ID         string
	PID        actor.PID
	Restarts   int
}

// RestartFailed: a child could not be started during a restart; the
// restart is retried and counted again, as in OTP.
type RestartFailed struct {
	Supervisor actor.PID
	ID         string
	Err        error
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

// GaveUp: restarts exceeded the intensity (the exit of child ID called for
// one too many) and the supervisor is stopping its children and exiting
// with Reason: a *RestartLimitExceeded under Escalate, actor.Shutdown under
// Terminate.
type GaveUp struct {
	Supervisor actor.PID
	ID         string
	Reason     error
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

func (e *ShutdownTimeout) Error() string {
	return fmt.Sprintf("supervisor: child %q (%v) did not stop within %v and was killed", e.ID, e.PID, e.Timeout)
}
