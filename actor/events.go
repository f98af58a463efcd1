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
