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
