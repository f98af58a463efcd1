package system

import (
	"errors"
	"sync/atomic"

	"github.com/airssys/rt/actor"
)

// DeadLetterReason classifies why a message became a dead letter. The set
// is closed and small, so that a metric labelled by it has a bounded number
// of series.
type DeadLetterReason uint8

// The dead-letter reasons, one per way a message can fail to arrive.
const (
	// DeadNoProcess: the target had exited, never existed, or exited with
	// the message still queued.
	DeadNoProcess DeadLetterReason = iota
	// DeadMailboxFull: the target's mailbox was full under DropNewest, or a
	// timer's message found it full.
	DeadMailboxFull
	// DeadDroppedOldest: the message was the oldest of a full DropOldest
	// mailbox and made room for a newer one.
	DeadDroppedOldest
	// DeadStopped: the system was stopping or stopped.
	DeadStopped
	// DeadNoRequest: a reply whose requester had already given up, or a
	// Reply with no request to answer.
	DeadNoRequest
	// DeadOther: any other reason (a nil context, a cancelled wait for room,
	// a send from a process that had exited).
	DeadOther

	deadReasons = iota
)

var deadReasonNames = [deadReasons]string{
	"no_process", "mailbox_full", "dropped_oldest", "stopped", "no_request", "other",
}

// String returns the reason's name as metrics and the observer show it:
// no_process, mailbox_full, dropped_oldest, stopped, no_request or other.
func (r DeadLetterReason) String() string {
	if int(r) < len(deadReasonNames) {
		return deadReasonNames[r]
	}
	return "other"
}

// DeadLetterReasons returns every reason in order, for code that iterates
// over Stats.DeadLettersBy.
func DeadLetterReasons() []DeadLetterReason {
	rs := make([]DeadLetterReason, deadReasons)
	for i := range rs {
		rs[i] = DeadLetterReason(i)
	}
	return rs
}

// classifyDeadLetter maps a dead letter's reason error to its class. The
// reasons are the runtime's own sentinels, so the common case is one
// comparison.
func classifyDeadLetter(reason error) DeadLetterReason {
	switch reason {
	case actor.ErrNoProcess:
		return DeadNoProcess
	case actor.ErrMailboxFull:
		return DeadMailboxFull
	case actor.ErrDroppedOldest:
		return DeadDroppedOldest
	case actor.ErrStopped:
		return DeadStopped
	case actor.ErrNoRequest:
		return DeadNoRequest
	}
	switch {
	case errors.Is(reason, actor.ErrNoProcess):
		return DeadNoProcess
	case errors.Is(reason, actor.ErrMailboxFull):
		return DeadMailboxFull
	case errors.Is(reason, actor.ErrStopped):
		return DeadStopped
	}
	return DeadOther
}

// deadLetterCounts counts dead letters by reason.
type deadLetterCounts [deadReasons]atomic.Uint64

// load reads the counts, by reason and in all.
func (c *deadLetterCounts) load() (by [deadReasons]uint64, total uint64) {
	for i := range c {
		by[i] = c[i].Load()
		total += by[i]
	}
	return by, total
}

// Stats is a system's counters at one moment, read from atomics the runtime
// keeps anyway: reading them sends no message and takes no lock. Each field
// is read on its own, so fields read while the system runs may be a few
// events apart from one another.
type Stats struct {
	// Processes is the number of live processes.
	Processes int
	// DeadLetters is the number of messages that could not be delivered.
	DeadLetters uint64
	// DeadLettersBy counts dead letters by reason, indexed by
	// DeadLetterReason; the entries sum to DeadLetters.
	DeadLettersBy [deadReasons]uint64
	// CrashedMessages is the number of messages whose handler crashed.
	CrashedMessages uint64

	// Metrics reports whether the system was created WithMetrics; the
	// fields below are zero without it.
	Metrics bool
	// Spawned counts the processes ever spawned.
	Spawned uint64
	// Exited counts exits, indexed by ExitClass.
	Exited [exitClasses]uint64
	// Delivered counts the messages handled.
	Delivered uint64
	// Kinds holds the counters of each kind of actor (see KindStats), the
	// first being OtherKind; a kind stays once it has been seen.
	Kinds []KindStats
	// Supervisors holds the counters of each supervisor that reported a
	// restart, an escalation or a give-up, ordered by name.
	Supervisors []SupervisorStats
}

// Stats returns the system's counters. It never blocks and may be called
// after Shutdown. With metrics on it allocates the Kinds and Supervisors
// slices and walks the process table for the mailbox fill, which costs time
// in proportion to the number of live processes (it takes no lock a
// process's sends or turns take, except briefly the consumer lock of
// DropOldest mailboxes); without, it allocates nothing.
func (s *System) Stats() Stats {
	st := Stats{
		Processes:       s.Processes(),
		CrashedMessages: s.crashed.Load(),
	}
	st.DeadLettersBy, st.DeadLetters = s.deadBy.load()
	if s.m != nil {
		s.fillStats(&st)
	}
	return st
}
