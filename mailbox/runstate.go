package mailbox

import (
	"fmt"
	"sync/atomic"
)

// State is a step of a mailbox's run state. Producers move it only out of
// Idle and out of Running, each by one CAS in RunState.Notify; every other
// transition is made by the consumer that owns the turn.
type State int32

const (
	// Idle: no consumer runs and none is due. A push must start one.
	//
	// Leaves for Scheduled, by the one producer whose RunState.Notify wins
	// the CAS (it returns true, and that producer must start a turn). Nothing
	// else leaves Idle: RunState.Begin panics if it finds it.
	Idle State = iota
	// Scheduled: a consumer turn has been started but has not looked yet.
	//
	// Leaves for Running, by the new turn's RunState.Begin. Producers'
	// Notify leaves it as it is: the turn has yet to look at their work.
	Scheduled
	// Running: a consumer is looking at the lanes.
	//
	// Leaves for Notified, by a producer's RunState.Notify (work arrived
	// while the turn looks); for Idle, by the consumer's Mailbox.EndTurn,
	// when it ends the turn; for Dead, by the consumer's RunState.Kill.
	// RunState.Begin keeps it Running.
	Running
	// Notified: a consumer is running and work arrived since it last looked.
	//
	// Leaves for Running, by the consumer's RunState.Begin as it looks
	// again (Mailbox.EndTurn refuses to end the turn from here); for Dead,
	// by the consumer's RunState.Kill. Notify leaves it as it is.
	Notified
	// Dead: the owner is gone; no turn will ever start again.
	//
	// Final: nothing leaves it. Notify returns false and Begin returns false.
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
			// See doc.go, invariant 2: one CAS, so one producer starts the turn.
			if r.v.CompareAndSwap(int32(Idle), int32(Scheduled)) {
				return true
			}
		case Running:
			// See doc.go, invariant 2: a running turn cannot miss this.
			if r.v.CompareAndSwap(int32(Running), int32(Notified)) {
				return false
			}
		default:
			return false
		}
	}
}

// Begin is called by the consumer before each look at the lanes: it moves
// Scheduled, Running or Notified to Running and returns true, or returns
// false if the state is Dead.
//
// Begin panics in any other state. Idle means the caller holds no turn: a
// turn starts only after Notify returned true, and is over once
// Mailbox.EndTurn returned false, so a consumer that begins there would race
// with the turn the next producer starts.
func (r *RunState) Begin() bool {
	for {
		switch s := State(r.v.Load()); s {
		case Dead:
			return false
		case Scheduled, Running, Notified:
			if r.v.CompareAndSwap(int32(s), int32(Running)) {
				return true
			}
		default:
			// See doc.go, invariant 4: no turn is in Idle.
			panic(fmt.Sprintf("mailbox: RunState.Begin in state %v: a consumer may begin only a turn that Notify started and EndTurn has not ended", s))
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
