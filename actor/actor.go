package actor

import "reflect"

// Actor is the behaviour of a process. Receive is called once per message,
// never concurrently for one process. msg is whatever was sent, or an [Exit]
// or [Down] delivered by a link or monitor. A panic in Receive ends this
// process alone, with a [*PanicError] reason.
type Actor interface {
	Receive(ctx Context, msg any)
}

// Initializer is implemented by actors that prepare state before their first
// message. Spawn waits for Init and returns its error; a non-nil error (or a
// panic) ends the process with that reason, and Terminate is not called.
// Init returns Ignore to decline to start without failing, as OTP's init
// returns ignore: Spawn then returns a zero PID and an error wrapping
// Ignore, and the process ends with reason Normal (links and monitors see
// a normal exit).
type Initializer interface {
	Init(ctx Context) error
}

// Terminator is implemented by actors that clean up when their process
// exits. Terminate runs on the process's goroutine with the exit reason,
// before links and monitors are told; it does not run after Kill, and a
// process killed while in Terminate is dead at once all the same.
type Terminator interface {
	Terminate(ctx Context, reason error)
}

// Func adapts a function to the Actor interface.
type Func func(ctx Context, msg any)

// Receive calls f(ctx, msg).
func (f Func) Receive(ctx Context, msg any) { f(ctx, msg) }

// Props says how to start a process afresh: a factory for a new Actor value
// and the spawn options. Supervisors keep Props to restart children, so New
// must return a fresh actor on every call.
type Props struct {
	New     func() Actor
	Options []Option
}

// PropsOf returns Props with the given factory and options.
func PropsOf(newActor func() Actor, opts ...Option) Props {
	return Props{New: newActor, Options: opts}
}

// Build calls New and validates the result: it returns ErrNilFactory when New
// is nil and ErrNilActor when New returns nil (see IsNil). A panic in New is returned as a
// *PanicError.
func (p Props) Build() (a Actor, err error) {
	if p.New == nil {
		return nil, ErrNilFactory
	}
	defer func() {
		if v := recover(); v != nil {
			a, err = nil, NewPanicError(PID{}, v)
		}
	}()
	if a = p.New(); IsNil(a) {
		return nil, ErrNilActor
	}
	return a, nil
}

// IsNil reports whether a is no actor at all: nil, or a nil pointer or nil
// func in a non-nil interface (a typed nil such as (*T)(nil)), which would
// crash on its first callback. Spawn and Props.Build refuse such an actor
// with ErrNilActor.
func IsNil(a Actor) bool {
	if a == nil {
		return true
	}
	switch v := reflect.ValueOf(a); v.Kind() {
	case reflect.Pointer, reflect.Func:
		return v.IsNil()
	}
	return false
}
