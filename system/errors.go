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
// process had stopped. Every process was then killed; Stuck lists those
// whose handler had still not returned, and whose goroutines therefore
// outlive Shutdown. Unwrap returns the context's error.
type ShutdownError struct {
	Stuck []ProcessInfo
	Err   error
}

// Error lists the stuck processes.
func (e *ShutdownError) Error() string {
	names := make([]string, len(e.Stuck))
	for i, p := range e.Stuck {
		names[i] = p.String()
	}
	return fmt.Sprintf("system: shutdown: %v; %d process(es) still running a handler: %s",
		e.Err, len(e.Stuck), strings.Join(names, ", "))
}

// Unwrap returns the context's error.
func (e *ShutdownError) Unwrap() error { return e.Err }
