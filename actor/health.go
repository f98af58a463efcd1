package actor

// Checker is implemented by an actor that can tell whether it is healthy:
// a Probe of its process calls Check in the process's turn, after the
// messages queued before the probe, and reports the error it returns (nil:
// healthy). Check must not block for long: while it runs, the process
// handles nothing else. A panic in Check ends the process as a panic in
// Receive does.
type Checker interface {
	Check(ctx Context) error
}

// ProbeResult answers a Context.Probe: PID's turn reached the probe Ref,
// and Err is what its Check returned (always nil for an actor that is not
// a Checker). Sender is PID while it is handled. A ProbeResult is
// delivered past the bound of the prober's mailbox, as a Down is, so it is
// never refused.
type ProbeResult struct {
	Ref Ref
	PID PID
	Err error
}
