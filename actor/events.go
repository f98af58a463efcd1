package actor

// Events published by the runtime on the system's event stream. Subscribers
// receive them as values; more kinds (supervision events) come from the
// packages that publish them.

// ProcessStarted is published when a process has been spawned (after Init).
type ProcessStarted struct {
	PID    PID
	Parent PID
	Name   string
}

// ProcessExited is published when a process has exited, after its links and
// monitors were told.
type ProcessExited struct {
	PID    PID
	Name   string
	Reason error
}

// DeadLetter records a message that could not be delivered: its target was
// dead or unknown, its mailbox was full under a drop policy, or it was still
// queued when its receiver exited. Reason says which (ErrNoProcess,
// ErrMailboxFull, ErrDroppedOldest, or ErrStopped).
type DeadLetter struct {
	To      PID
	From    PID
	Message any
	Reason  error
}

// SupervisionOutcome classifies what a supervision event reports, for the
// runtime's per-supervisor counters (see SupervisionEvent).
type SupervisionOutcome uint8

// The outcomes a system with metrics on counts per supervisor.
const (
	// SupervisionOther: an event the counters do not count.
	SupervisionOther SupervisionOutcome = iota
	// SupervisionRestart: a child was restarted.
	SupervisionRestart
	// SupervisionEscalation: the supervisor gave up and exits with a
	// reason that passes the failure to its own parent (restart intensity
	// exceeded under an escalating policy).
	SupervisionEscalation
	// SupervisionGiveUp: the supervisor gave up without escalating (it
	// exits with Shutdown, or as a decider chose).
	SupervisionGiveUp
)

// SupervisionEvent is implemented by the events a supervisor publishes
// through Context.Publish that the runtime counts: when a process
// publishes one, a system with metrics on adds it to that process's
// restarts, escalations or give-ups, keyed by its registered name or, if
// it has none, its kind. The method must be cheap and must not block.
type SupervisionEvent interface {
	SupervisionOutcome() SupervisionOutcome
}
