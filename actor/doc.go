// Package actor is the vocabulary of the runtime: process identifiers, the
// Actor behaviour and its optional callbacks, the per-message Context, spawn
// options, exit reasons, the signals that become messages, and the errors
// every other package returns. It starts no goroutine and holds no state; the
// system package gives it life.
//
// # Processes
//
// An Actor receives one message at a time: Receive is never called
// concurrently for one process, so an actor's fields need no locks. An actor
// may implement [Initializer], whose Init runs before the first message (the
// spawner waits for it), and [Terminator], whose Terminate runs when the
// process exits — except after [Kill], as with OTP's brutal kill.
//
// # Exit reasons
//
// Every process ends with an exit reason, an error: [Normal], [Shutdown],
// [Killed], [NoProc], a [*PanicError] when a callback panicked, or any error
// an actor stops with. Compare them with [errors.Is] and [errors.As]. Normal
// and Shutdown (or an error wrapping Shutdown) are the clean endings: links
// ignore Normal, and transient children are not restarted after either.
//
// # Signals
//
// Links and monitors deliver [Exit] and [Down] as ordinary messages (Exit
// only to a process that traps exits). Both are placed after every message
// their sender sent before them, and neither is ever refused by a full
// mailbox. A process that set a receive timeout (Context.SetReceiveTimeout)
// gets [ReceiveTimeout] after that long without a message. Signals form a
// closed set: [Signal] cannot be implemented outside this package. User
// messages are any value.
//
// # Timers
//
// Context.SendAfter, Context.SendInterval and Context.SetReceiveTimeout run
// on the system's one timer goroutine, in virtual time inside a
// testing/synctest bubble; an armed timer holds no goroutine. A process's
// intervals and receive timeout end with it.
//
// # Errors
//
// Misuse gets a sentinel error from the block in errors.go, wrapped with
// context where useful; test with errors.Is. Nothing is lost on error: a
// message that could not be delivered goes to the dead letters.
package actor
