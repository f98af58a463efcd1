package remote

import (
	"errors"
	"fmt"

	"github.com/airssys/rt/actor"
)

// Reason is an exit reason or error that crossed from another node and
// has no value of its own here: Error returns its text there, and Unwrap
// the runtime reason or error it wrapped (actor.Shutdown, for example), so
// errors.Is and actor.IsShutdown still hold.
type Reason struct {
	Text string
	Base error
}

// Error returns the text of the error on its node.
func (r *Reason) Error() string { return r.Text }

// Unwrap returns the runtime error it wrapped, or nil.
func (r *Reason) Unwrap() error { return r.Base }

// PanicValue is the Value of an *actor.PanicError that crossed from
// another node: the panic value's text there.
type PanicValue string

// String returns the panic value's text.
func (v PanicValue) String() string { return string(v) }

// sentinels are the runtime's errors, sent by index so that errors.Is
// holds on the other side.
var sentinels = []error{
	actor.Normal, actor.Shutdown, actor.Kill, actor.Killed, actor.NoProc, actor.NoConnection, actor.Ignore,
	actor.ErrNoProcess, actor.ErrMailboxFull, actor.ErrStopped, actor.ErrNotRegistered, actor.ErrNoRequest,
	actor.ErrRequestSelf, actor.ErrNotInProcess, actor.ErrNameTaken, actor.ErrInitTimeout, actor.ErrNilActor,
	ErrNoConnection, ErrUnknownKind, ErrUnregisteredType, ErrTooLarge, ErrClosed,
}

const (
	rSentinel byte = iota + 1
	rExitError
	rPanic
	rWrapped
	rText
)

func appendReason(b []byte, err error) []byte {
	for i, s := range sentinels {
		if err == s {
			return append(b, rSentinel, byte(i))
		}
	}
	var ee *actor.ExitError
	if errors.As(err, &ee) && error(ee) == err {
		b = append(b, rExitError)
		b = appendUvarint(b, ee.PID.ID())
		return appendReason(b, ee.Reason)
	}
	var pe *actor.PanicError
	if errors.As(err, &pe) && error(pe) == err {
		b = append(b, rPanic)
		b = appendString(b, fmt.Sprint(pe.Value))
		return appendString(b, pe.MessageType)
	}
	for i, s := range sentinels {
		if errors.Is(err, s) {
			b = append(b, rWrapped, byte(i))
			return appendString(b, err.Error())
		}
	}
	b = append(b, rText)
	return appendString(b, err.Error())
}

// readReason decodes a reason sent by node from (whose PIDs it names).
func readReason(r *reader, from *nodeID) error {
	switch r.byte() {
	case rSentinel:
		i := int(r.byte())
		if i < len(sentinels) {
			return sentinels[i]
		}
	case rExitError:
		id := r.uvarint()
		return &actor.ExitError{PID: actor.NewPID(from.num, id), Reason: readReason(r, from)}
	case rPanic:
		v := r.string()
		return &actor.PanicError{PID: r.pid, Value: PanicValue(v), MessageType: r.string()}
	case rWrapped:
		i := int(r.byte())
		text := r.string()
		if i < len(sentinels) {
			return &Reason{Text: text, Base: sentinels[i]}
		}
		return &Reason{Text: text}
	case rText:
		return &Reason{Text: r.string()}
	}
	r.fail()
	return &Reason{Text: "remote: undecodable reason"}
}
