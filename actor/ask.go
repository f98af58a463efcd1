package actor

import (
	"context"
	"fmt"
	"reflect"
)

// Requester sends a request and waits for its reply. A *system.System and
// a Context both satisfy it, so Ask (and the supervisor and router APIs)
// can be called from outside the actors or from inside one.
type Requester interface {
	Request(ctx context.Context, to PID, msg any) (any, error)
}

// ReplyTypeError is the error of Ask when the reply is not of the type
// asked for. It matches ErrReplyType with errors.Is.
type ReplyTypeError struct {
	Want  string // the type asked for
	Got   string // the reply's type
	Reply any    // the reply itself
}

func (e *ReplyTypeError) Error() string {
	return fmt.Sprintf("actor: reply of type %s, want %s", e.Got, e.Want)
}

// Is reports whether target is ErrReplyType.
func (e *ReplyTypeError) Is(target error) bool { return target == ErrReplyType }

// Ask sends msg to pid with r's Request and returns the reply as a T. The
// convention for failures is an error reply: when the actor answers
// ctx.Reply(err) with an error value, Ask returns that error (unless T
// holds it: Ask[error] and Ask[any] return it as the reply). A reply of another type gives a *ReplyTypeError;
// a nil reply is T's zero value when T can be nil (an interface, pointer,
// slice, map, channel or func) and a *ReplyTypeError otherwise. The
// Request's own errors (ctx ended, *ExitError, ErrNoProcess …) are
// returned as they are. It blocks as Request does.
func Ask[T any](ctx context.Context, r Requester, pid PID, msg any) (T, error) {
	var zero T
	v, err := r.Request(ctx, pid, msg)
	if err != nil {
		return zero, err
	}
	if t, ok := v.(T); ok {
		return t, nil
	}
	if e, ok := v.(error); ok {
		return zero, e
	}
	want := reflect.TypeFor[T]()
	if v == nil {
		switch want.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Map, reflect.Chan, reflect.Func:
			return zero, nil
		}
	}
	return zero, &ReplyTypeError{Want: want.String(), Got: typeOf(v), Reply: v}
}

func typeOf(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}
