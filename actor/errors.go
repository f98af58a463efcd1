package actor

import (
	"errors"

	"github.com/airssys/rt/mailbox"
)

// Errors returned by the runtime. Each says what went wrong and what to do;
// compare with errors.Is, since they are often wrapped with detail.
var (
	// ErrNoProcess: the target PID or name names no live process. The
	// message went to the dead letters; monitor the target to learn why it
	// exited.
	ErrNoProcess = errors.New("actor: no such process: it exited or never existed")
	// ErrZeroPID: a zero PID was passed where a process is needed; use the
	// PID returned by Spawn.
	ErrZeroPID = errors.New("actor: zero PID: use a PID returned by Spawn")
	// ErrForeignPID: the PID belongs to another ActorSystem; send through
	// the system that spawned it.
	ErrForeignPID = errors.New("actor: PID belongs to another system")
	// ErrMailboxFull: the target's mailbox was full under DropNewest (or a
	// process sent to its own full mailbox). The message went to the dead
	// letters; retry later or give the target more capacity.
	ErrMailboxFull = mailbox.ErrFull
	// ErrStopped: the system has been shut down; nothing can be spawned or
	// sent any more.
	ErrStopped = errors.New("actor: system stopped: create a new system")
	// ErrNameTaken: the name is registered to another live process; pick
	// another name or Whereis the existing process.
	ErrNameTaken = errors.New("actor: name already registered")
	// ErrEmptyName: names must be non-empty.
	ErrEmptyName = errors.New("actor: empty name")
	// ErrNotRegistered: no process is registered under the name.
	ErrNotRegistered = errors.New("actor: name not registered")
	// ErrNilActor: Spawn was given a nil Actor, or a factory returned nil.
	ErrNilActor = errors.New("actor: nil actor")
	// ErrNilFactory: Props has no New function.
	ErrNilFactory = errors.New("actor: nil actor factory in Props")
	// ErrInvalidOption: a spawn or system option has a value out of range;
	// the wrapped message names it.
	ErrInvalidOption = errors.New("actor: invalid option")
	// ErrInitTimeout: Init did not return within the init timeout. The
	// process was killed; give Init more time with WithInitTimeout or make
	// it honour ctx.Context().
	ErrInitTimeout = errors.New("actor: init timed out")
	// ErrRequestSelf: a process made a Request to itself, which could never
	// be answered. Call the code directly instead.
	ErrRequestSelf = errors.New("actor: request to self would deadlock")
	// ErrWaitOnSelf: a call made from inside a process's callback would
	// wait for that same process to exit, which cannot happen while the
	// callback waits: System.Shutdown, or System.Stop of the calling
	// process. Nothing was stopped. Stop the process with Context.Stop;
	// shut the system down from outside its actors (for example, have the
	// goroutine that created it wait on a channel the actor closes).
	ErrWaitOnSelf = errors.New("actor: call would wait for the calling process itself")
	// ErrNoRequest: Reply was called while handling a message that was not
	// sent with Request, or after the request was answered.
	ErrNoRequest = errors.New("actor: no pending request to reply to")
	// ErrReplied: a Deferred was answered a second time; the second
	// answer went nowhere.
	ErrReplied = errors.New("actor: deferred reply already answered")
	// ErrReplyType: the reply to Ask has another type than the one asked
	// for; the error is an *ReplyTypeError naming both.
	ErrReplyType = errors.New("actor: reply of unexpected type")
	// ErrNilReason: Exit or Stop was given a nil reason; use Normal.
	ErrNilReason = errors.New("actor: nil exit reason: use actor.Normal")
	// ErrDroppedOldest is the DeadLetter reason of a message removed from a
	// full DropOldest mailbox to make room for a newer one.
	ErrDroppedOldest = errors.New("actor: dropped as oldest from a full mailbox")
	// ErrNilContext: a call that takes a context.Context was given nil.
	// Nothing was sent or changed; pass context.Background() to wait
	// without a deadline.
	ErrNilContext = mailbox.ErrNilContext
	// ErrGoexit is the value of the *PanicError a process exits with when
	// one of its callbacks called runtime.Goexit (t.FailNow, testify's
	// require, and other helpers that end the goroutine do). It is a crash,
	// like a panic; report test failures from a handler another way, such
	// as a channel the test reads.
	ErrGoexit = errors.New("actor: callback called runtime.Goexit")
	// ErrBadDuration: a timer was given a duration it cannot run with: an
	// interval (SendInterval) must be positive; a delay (System.SendAfter)
	// or a receive timeout must not be negative (0 turns a receive timeout
	// off). Nothing was armed.
	ErrBadDuration = errors.New("actor: bad timer duration: intervals must be positive, delays not negative")
	// ErrNotInProcess: a Context method that needs a running process was
	// called after the process exited.
	ErrNotInProcess = errors.New("actor: process has exited")
)

// ExitError is returned by Request when the target exits before replying.
// Reason is its exit reason; errors.Is(err, actor.Killed) and the like hold.
type ExitError struct {
	PID    PID
	Reason error
}

// Error returns "process <pid> exited: reason".
func (e *ExitError) Error() string {
	return "actor: process " + e.PID.String() + " exited: " + e.Reason.Error()
}

// Unwrap returns the exit reason.
func (e *ExitError) Unwrap() error { return e.Reason }
