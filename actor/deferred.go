package actor

import "context"

// Deferred is the reply to one Request, taken out of its handler by
// Context.ReplyLater. Its methods are safe for concurrent use.
type Deferred interface {
	// Reply answers the request. The first call settles it; any later one
	// returns ErrReplied. A reply to a requester that gave up, or whose
	// request failed when the deferring process exited, goes to the dead
	// letters.
	Reply(msg any) error
	// Context is the requester's context: done when it gives up.
	Context() context.Context
	// Sender is the requester (the zero PID for one outside any process).
	Sender() PID
}

// Held is a message taken out of its handler by Context.Hold, with its
// sender and its Request: the holder forwards it later, answers it or
// refuses it. Its methods belong to the holder, as Context's do: call them
// from the holder's callbacks. If the holder exits first, a held Request
// fails with its exit reason (as a deferred one does); a held message
// that is not a Request goes with the holder's state.
type Held interface {
	// Message is the message held.
	Message() any
	// Sender is its original sender.
	Sender() PID
	// Forward passes the message on to pid, as Context.Forward would have
	// when it was current: the Request goes with the first Forward, later
	// ones pass the message alone. After Reply or Refuse it returns
	// ErrReplied.
	Forward(to PID) error
	// Reply answers the held Request (ErrNoRequest if there is none left
	// to answer).
	Reply(msg any) error
	// Refuse gives the message up as Context.Refuse does: a dead letter,
	// and the Request, if still held, fails with reason. Once answered or
	// refused, it returns ErrReplied.
	Refuse(reason error) error
}
