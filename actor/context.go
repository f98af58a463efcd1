package actor

import (
	"context"
	"time"

	"github.com/rs/zerolog"
)

// Context is the handle an actor's callbacks receive: who it is, who sent
// the current message, and everything a process can do. It is not a
// context.Context; Context() returns the process's own, cancelled when the
// process exits.
//
// A Context belongs to its process: call its methods from the callback it
// was passed to (Init, Receive, Terminate). Methods that block (Request,
// Send under Backpressure) end early when the process is killed.
type Context interface {
	// Self returns this process's PID.
	Self() PID
	// Parent returns the PID of the process that spawned this one, or the
	// zero PID for a process spawned by the system.
	Parent() PID
	// Sender returns the sender of the current message: the sending
	// process, or the zero PID when it was sent from outside any process
	// or is a runtime signal.
	Sender() PID
	// Logger returns the system's logger with this process's pid as a
	// field. It is silent unless the system was given a logger.
	Logger() zerolog.Logger
	// Context returns a context.Context cancelled as soon as a signal
	// arrives that will end this process (Kill; an abnormal exit signal
	// while it does not trap exits; a stop from its parent or the system,
	// which ends a trapping process too once it has seen the Exit), and at
	// the latest when it exits. Pass it to the blocking calls the actor
	// makes; bound work that must still finish in order after a stop by
	// deadlines of its own.
	Context() context.Context
	// RequestContext is the context of the Request being handled: done
	// when the requester gives up (its context ended), so that a handler
	// can drop abandoned work. For a message that is not a Request it is
	// Context(). Select on both to stop when either ends.
	RequestContext() context.Context
	// Now returns the system clock's current time.
	Now() time.Time

	// Spawn starts a process whose parent is this one, unlinked. It
	// returns once the child's Init has returned (see System.Spawn).
	Spawn(a Actor, opts ...Option) (PID, error)
	// SpawnLink starts a process linked to this one before it runs, so a
	// child that fails in Init or at once still signals this process.
	SpawnLink(a Actor, opts ...Option) (PID, error)

	// Send delivers msg to pid with this process as sender. Under
	// Backpressure it waits for room until this process exits; a process
	// sending to its own full mailbox gets ErrMailboxFull instead. Messages
	// from this process to one receiver arrive in the order sent. On error
	// the message went to the dead letters.
	Send(to PID, msg any) error
	// SendNamed sends to the process registered under name.
	SendNamed(name string, msg any) error
	// SendAfter sends msg to pid after d, with this process as sender, on
	// the system's clock (virtual time in a testing/synctest bubble); d ==
	// 0 sends at the timer goroutine's next tick. The returned function
	// cancels the send if it has not happened and reports whether it did
	// cancel it. The message keeps this process as its sender even if it
	// has exited by then. A timer a process sets for itself is never
	// refused by its own full mailbox (it goes past the bound, as a Down
	// does) and is cancelled when the process exits; timers still pending
	// at Shutdown go to the dead letters with ErrStopped. It never blocks.
	// Errors (nothing is armed, and the message is still the caller's):
	// ErrBadDuration for d < 0, ErrZeroPID, ErrForeignPID, ErrStopped once
	// Shutdown has begun, ErrNotInProcess after this process has exited.
	SendAfter(d time.Duration, to PID, msg any) (cancel func() bool, err error)
	// SendInterval sends msg to pid every d, with this process as sender:
	// at d, 2d, 3d… after the call, on the system's clock (virtual time in
	// a testing/synctest bubble), with no goroutine per timer. The ticks
	// stop when cancel is called (a tick already being delivered may still
	// arrive), when this process exits, when pid has exited, and at
	// Shutdown. A tick that finds pid's mailbox full (Self's included)
	// goes to the dead letters and the next one tries again, so ticks never
	// pile up behind a slow handler. Errors (nothing is armed): ErrBadDuration
	// for d <= 0, ErrZeroPID, ErrForeignPID, ErrStopped, ErrNotInProcess.
	SendInterval(d time.Duration, to PID, msg any) (cancel func() bool, err error)
	// SetReceiveTimeout makes the process receive a ReceiveTimeout message
	// after d without any message, and again after each further d without
	// one; every message it handles (ReceiveTimeout excepted) starts the
	// wait again. 0 turns it off; after that, or a new call, no
	// ReceiveTimeout of the earlier setting is received. It costs a single
	// timer, not one per message. Errors: ErrBadDuration for d < 0,
	// ErrStopped after Shutdown has begun, ErrNotInProcess.
	SetReceiveTimeout(d time.Duration) error
	// Request sends msg to pid and waits for its Reply. It returns
	// ctx.Err() when ctx ends first, an *ExitError with the target's exit
	// reason if it exits before replying (promptly, not at the deadline),
	// ErrNoProcess if it does not exist, and ErrRequestSelf for pid ==
	// Self().
	Request(ctx context.Context, to PID, msg any) (any, error)
	// Reply answers the current message if it was sent with Request. It
	// returns ErrNoRequest otherwise, or when the request was already
	// answered (or forwarded, deferred or refused). A reply to a requester
	// that gave up goes to the dead letters. By convention a reply that is
	// an error value means the request failed: Ask returns it as its error.
	Reply(msg any) error
	// Forward passes the current message on to pid unchanged: pid sees the
	// original sender as Sender, and if the message is a Request, pid's
	// Reply (or a later forward's) answers the original requester, which
	// from then on waits on pid: pid's exit fails the request with pid's
	// exit reason, this process's no longer does. A forward to the
	// requester itself fails the request with ErrRequestSelf. Forward may be called more than
	// once for one message: the Request goes with the first call, later
	// calls pass the message alone. The error is the delivery's, as Send's;
	// the message then went to the dead letters and the request failed: a
	// process not alive fails it with an *ExitError (reason NoProc if it is
	// long gone).
	Forward(to PID) error
	// ReplyLater takes the reply to the current Request out of the handler:
	// the returned Deferred answers it later, from another message or
	// another goroutine, exactly once. Until then the requester waits (up
	// to its context); if this process exits first, the request fails at
	// once with its exit reason. It returns ErrNoRequest if the message is
	// not a Request or was already answered, forwarded or deferred.
	ReplyLater() (Deferred, error)
	// Refuse gives up on the current message: it goes to the dead letters
	// with reason, and if it is a Request not yet answered, the request
	// fails at once with reason as its error. Behaviours that cannot handle
	// a message (a router with no routee) use it so that nothing is lost
	// silently. A nil reason is refused with ErrNilReason.
	Refuse(reason error) error
	// Hold takes the current message out of the handler, with its sender
	// and its Request (unless answered, forwarded or deferred): the Held
	// is forwarded, answered or refused later, from another callback. A
	// router holds messages this way while none of its routees is up.
	Hold() (Held, error)
	// Backlog returns how many user messages pid has queued, read from the
	// runtime without a message (0 if pid is not alive). It never blocks;
	// the answer may be stale as soon as it is returned.
	Backlog(pid PID) int

	// Redirect installs f as this process's send-side redirect, or removes
	// it (f nil). While it is installed and this process holds no user
	// message (none queued, none being handled: Down, Exit and probes do
	// not count), each user message sent to it (Send,
	// Request, Forward, a timer's message) is first offered to f, in the
	// sender's goroutine: if f returns a live process of this system, the
	// message goes there instead, unchanged, as by Forward (its sender is
	// kept, and a Request's reply is owed by the new target), and this
	// process never sees it. Otherwise (ok false, or a target that is not
	// alive) it is queued here as usual. Messages the runtime makes (Down,
	// Exit, ProbeResult) are never redirected. A message queued here turns
	// the redirect off until this process has handled it and found its
	// mailbox without user messages, so a sender's messages this process
	// passes on are ahead of those it redirects: the order from one sender
	// to one target holds. The redirect is off from the call until then
	// too (whatever is queued, and the message being handled, keep their
	// place).
	// f runs in many goroutines at once: it must be safe for concurrent
	// use and must not block. It runs as part of the sender's Send, which
	// does not recover a panic in it (that would cost every redirected
	// message a deferred call): f must not panic, and code it calls that
	// might must be guarded by f itself. A router uses it to route in its
	// senders' goroutines, and guards the policies that run code of its
	// users.
	Redirect(f func(msg any) (to PID, ok bool))

	// Probe sends pid a health probe through its user lane, behind the
	// messages already queued there, and returns its Ref at once. When
	// pid's turn reaches the probe, the runtime answers for the actor: it
	// calls the actor's Check if it is a Checker, and delivers a
	// ProbeResult with that Ref to this process. So a probe measures queue
	// delay and responsiveness without any code in the actor. A probe
	// still queued when pid exits is dropped: link or monitor pid to learn
	// of its exit, and bound the wait with a timer. Probe returns
	// ErrNoProcess for a process that is not alive, ErrZeroPID and
	// ErrForeignPID for PIDs it cannot probe, ErrNotInProcess after this
	// process has exited. It never blocks.
	Probe(pid PID) (Ref, error)

	// Link links this process with pid, both ways; linking twice is one
	// link, linking to Self does nothing. If pid does not exist, this
	// process receives exit signal NoProc from it (an Exit message if
	// trapping exits, otherwise it exits with NoProc).
	Link(pid PID) error
	// Unlink removes the link. After it returns, no exit signal from that
	// link arrives, not even one already queued as an Exit message.
	Unlink(pid PID) error
	// Monitor starts a new monitor of pid and returns its Ref. When pid
	// exits, Down{Ref, pid, reason} arrives; if pid does not exist, Down
	// with NoProc arrives at once. Monitoring Self is legal and never
	// fires.
	Monitor(pid PID) (Ref, error)
	// MonitorName monitors the process registered under name; if none is,
	// Down with NoProc arrives at once.
	MonitorName(name string) (Ref, error)
	// Demonitor removes the monitor. After it returns no Down for ref is
	// delivered, even one already queued. It reports whether the monitor
	// was active; unknown refs are not an error.
	Demonitor(ref Ref) bool
	// TrapExit turns exit trapping on or off and returns the previous
	// setting. A trapping process receives exit signals as Exit messages,
	// except Kill, which cannot be trapped. As in OTP's behaviours, an
	// Exit from the process's parent (the zero PID for a top-level
	// process) is delivered and then ends the process with that reason,
	// unless the handler already called Stop. System.Stop and
	// System.Shutdown count as the parent of every process; System.Exit
	// is a plain exit signal.
	TrapExit(on bool) bool
	// Exit sends exit signal reason to pid, as Erlang's exit/2: Kill ends
	// it with Killed whatever it does; Normal is ignored by a non-trapping
	// target other than Self; any other reason ends a non-trapping target.
	Exit(pid PID, reason error) error
	// Stop ends this process with reason once the current callback returns
	// (Terminate then runs). Stop is not a signal and cannot be trapped.
	Stop(reason error)
	// ExitAndWait sends exit signal reason to pid and waits until it has
	// exited, as a monitor would see it: the Down's Reason is the target's
	// final exit reason (NoProc if it was not alive). err is not an exit
	// reason: it is ctx.Err() if ctx ends first (the target may then still
	// be running; the Down is zero), ErrNotInProcess if this process is
	// killed while it waits, or the error of a call that could not be made
	// (ErrRequestSelf for Self, ErrNilReason, ErrZeroPID, ErrForeignPID).
	// It blocks until one of those.
	ExitAndWait(ctx context.Context, pid PID, reason error) (Down, error)

	// Register registers this process under name (ErrNameTaken if taken).
	Register(name string) error
	// Unregister removes name (ErrNotRegistered if it is not registered).
	Unregister(name string) error
	// Whereis returns the process registered under name.
	Whereis(name string) (PID, bool)
	// Alive reports whether pid names a live process of this system (as
	// Erlang's is_process_alive). It never blocks; the answer may be stale
	// as soon as it is returned.
	Alive(pid PID) bool

	// Publish delivers event to the system's event-stream subscribers.
	Publish(event any)
	// SetDescriber publishes d as this process's description for
	// introspection (System.Inspect and System.Snapshot call d.Describe and
	// show what it returns), replacing any earlier one; nil removes it. It
	// never blocks. See Describer for what d must guarantee.
	SetDescriber(d Describer)
}
