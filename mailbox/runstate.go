package mailbox

import (
	"fmt"
	"sync/atomic"
)

// State is a step of a mailbox's run state.
type State int32

const (
	// Idle: no consumer runs and none is due. A push must start one.
	Idle State = iota
	// Scheduled: a consumer turn has been started but has not looked yet.
	Scheduled
	// Running: a consumer is looking at the lanes.
	Running
	// Notified: a consumer is running and work arrived since it last looked.
	Notified
	// Dead: the owner is gone; no turn will ever start again.
	Dead
)

// String returns the state's name.
func (s State) String() string {
	switch s {
	case Idle:
		return "idle"
	case Scheduled:
		return "scheduled"
	case Running:
		return "running"
	case Notified:
		return "notified"
	case Dead:
		return "dead"
	}
	return fmt.Sprintf("state(%d)", int32(s))
}

// RunState decides who consumes a mailbox and when, with no lost wake-up as
// long as the consumer ends its turns through Mailbox.EndTurn. The zero
// value is Idle.
type RunState struct{ v atomic.Int32 }

// Load returns the current state.
func (r *RunState) Load() State { return State(r.v.Load()) }

// Notify is called by a producer after every push. It returns true when the
// mailbox was Idle: the caller must then start a consumer turn. Otherwise a
// turn is due or running, and a running one is told to look again.
func (r *RunState) Notify() bool {
	for {
		switch s := State(r.v.Load()); s {
		case Idle:
			if r.v.CompareAndSwap(int32(Idle), int32(Scheduled)) {
				return true
			}
		case Running:
			if r.v.CompareAndSwap(int32(Running), int32(Notified)) {
				return false
			}
		default:
			return false
		}
	}
}

// Begin is called by the consumer before each look at the lanes. It returns
// false if the state is Dead.
func (r *RunState) Begin() bool {
	for {
		s := State(r.v.Load())
		if s == Dead {
			return false
		}
		if r.v.CompareAndSwap(int32(s), int32(Running)) {
			return true
		}
	}
}

// release moves Running to Idle. It returns true when the mailbox is now
// Idle; false means work arrived meanwhile (Notified) or the state is Dead.
// Only Mailbox.EndTurn calls it, after checking that no message is claimed.
func (r *RunState) release() bool {
	return r.v.CompareAndSwap(int32(Running), int32(Idle))
}

// Kill marks the mailbox Dead. Only the consumer holding the turn calls it.
func (r *RunState) Kill() { r.v.Store(int32(Dead)) }
