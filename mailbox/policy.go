package mailbox

import (
	"errors"
	"fmt"
)

// Errors returned by this package. Compare them with [errors.Is].
var (
	// ErrFull is returned by Push under DropNewest when the queue is at
	// capacity. The message was not queued; the caller still owns it.
	ErrFull = errors.New("mailbox: full")
	// ErrClosed is returned by Push and PushForce after Close. The message was
	// not queued; the caller still owns it.
	ErrClosed = errors.New("mailbox: closed")
	// ErrInvalidCapacity is returned by Queue.Init for a capacity below 1.
	ErrInvalidCapacity = errors.New("mailbox: capacity must be at least 1")
	// ErrInvalidPolicy is returned by Queue.Init for an unknown Policy.
	ErrInvalidPolicy = errors.New("mailbox: unknown overflow policy")
	// ErrNilContext is returned by Push when its ctx is nil, whatever the
	// policy. The message was not queued and nothing was dropped; the
	// caller still owns it.
	ErrNilContext = errors.New("mailbox: Push needs a non-nil context; pass context.Background() for no deadline")
)

// Policy says what Push does when the queue is full.
type Policy uint8

const (
	// Backpressure makes the producer wait until there is room, its context
	// ends (Push returns ctx.Err()) or the queue is closed (ErrClosed).
	Backpressure Policy = iota
	// DropNewest refuses the new message: Push returns ErrFull at once.
	DropNewest
	// DropOldest removes the oldest queued message to make room and returns
	// it to the producer as dropped.
	DropOldest
)

// String returns the policy's name.
func (p Policy) String() string {
	switch p {
	case Backpressure:
		return "backpressure"
	case DropNewest:
		return "drop-newest"
	case DropOldest:
		return "drop-oldest"
	}
	return fmt.Sprintf("policy(%d)", uint8(p))
}

// Valid reports whether p is one of the defined policies.
func (p Policy) Valid() bool { return p <= DropOldest }
