package actor

// Signal is the closed set of runtime notifications delivered as messages:
// [Exit], [Down] and [ReceiveTimeout]. It cannot be implemented outside this package.
type Signal interface{ signal() }

// Exit is delivered to a process that traps exits when a linked process
// exits, or when another process calls Exit on it. From is the sender (the
// zero PID for the system itself, as during System.Shutdown); Reason is the
// exit reason. Exit from a link is placed after every message From sent
// earlier, and is never refused by a full mailbox.
type Exit struct {
	From   PID
	Reason error
}

// Down is delivered to a monitoring process when the monitored process
// exits, or at once with Reason NoProc when it did not exist. Ref is the
// value Monitor returned. After Demonitor(Ref) returns, no Down for Ref is
// delivered, even one already queued.
type Down struct {
	Ref    Ref
	PID    PID
	Reason error
}

// ReceiveTimeout is delivered to a process that set a receive timeout
// (Context.SetReceiveTimeout) after that long without a message, and again
// after each further period without one, until the timeout is set to 0.
// It is never delivered after a message that arrived before it: any
// message handled resets the wait. Its Sender is the zero PID.
type ReceiveTimeout struct{}

func (Exit) signal()           {}
func (Down) signal()           {}
func (ReceiveTimeout) signal() {}
