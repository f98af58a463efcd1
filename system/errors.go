package system

import (
	"errors"
	"fmt"
	"strings"

	"github.com/airssys/rt/actor"
)

// Errors of the system package. The actor package's sentinels
// (actor.ErrNoProcess, actor.ErrStopped, …) are returned as well.
var (
	// ErrSubscriptionClosed is returned by Subscription.Next after Close.
	ErrSubscriptionClosed = errors.New("system: subscription closed")
)

// ProcessInfo names a process in reports.
type ProcessInfo struct {
	PID  actor.PID
	Name string
}

func (i ProcessInfo) String() string {
	if i.Name == "" {
		return i.PID.String()
	}
	return i.PID.String() + " (" + i.Name + ")"
}

// ShutdownError is returned by Shutdown when its context ended before every
// process had stopped. Every process was then killed; Stuck lists, by PID,
// those whose callback (Init, Receive or Terminate) was still running, whose
// goroutines are the only ones of the system that outlive Shutdown. A
// process that was only finishing its exit is not stuck. Unwrap returns the
// context's error.
type ShutdownError struct {
	Stuck []ProcessInfo
	Err   error
}

// Error lists the stuck processes.
func (e *ShutdownError) Error() string {
	if len(e.Stuck) == 0 {
		return fmt.Sprintf("system: shutdown: %v; the remaining processes were killed, none was running a handler", e.Err)
	}
	names := make([]string, len(e.Stuck))
	for i, p := range e.Stuck {
		names[i] = p.String()
	}
	return fmt.Sprintf("system: shutdown: %v; %d process(es) still running a handler: %s",
		e.Err, len(e.Stuck), strings.Join(names, ", "))
}

// Unwrap returns the context's error.
func (e *ShutdownError) Unwrap() error { return e.Err }
