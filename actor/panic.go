package actor

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
)

// PanicError is the exit reason of a process whose callback panicked. Value
// is what was passed to panic. MessageType names the type of the message
// whose handler crashed (it is lost, as in Erlang, and counted by the
// system), or is empty if the crash was not in Receive. Unwrap returns Value
// when it is an error.
//
// The stack of the panicking goroutine is recorded as program counters,
// which is cheap; it is turned into text only when asked for, by Stack or
// by formatting the error with %+v.
type PanicError struct {
	PID         PID
	Value       any
	MessageType string

	pcs []uintptr
}

// NewPanicError records v and the current stack. It is meant to be called
// from a deferred recover, where the stack still holds the frames of the
// panicking call; the frames of NewPanicError itself are left out.
func NewPanicError(pid PID, v any) *PanicError {
	var local [64]uintptr
	buf := local[:]
	n := runtime.Callers(2, buf)
	for n == len(buf) { // full: the stack may go on
		buf = make([]uintptr, 2*len(buf))
		n = runtime.Callers(2, buf)
	}
	e := &PanicError{PID: pid, Value: v, pcs: make([]uintptr, n)}
	copy(e.pcs, buf)
	return e
}

// Error returns "panic in <pid>: value".
func (e *PanicError) Error() string { return fmt.Sprintf("panic in %v: %v", e.PID, e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// Stack returns the stack of the goroutine at the panic, innermost call
// first, one "function\n\tfile:line\n" pair per frame (the frames of the
// recover that caught it come first, then the runtime's panic, then the
// call that panicked and its callers). It formats the text on each call;
// it is empty for a PanicError not made by NewPanicError.
func (e *PanicError) Stack() []byte {
	var b bytes.Buffer
	e.writeStack(&b)
	return b.Bytes()
}

func (e *PanicError) writeStack(b *bytes.Buffer) {
	if len(e.pcs) == 0 {
		return
	}
	frames := runtime.CallersFrames(e.pcs)
	for {
		f, more := frames.Next()
		b.WriteString(f.Function)
		b.WriteString("\n\t")
		b.WriteString(f.File)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(f.Line))
		b.WriteByte('\n')
		if !more {
			return
		}
	}
}

// Format formats the error as Error does for %s and %v, quoted for %q, and
// for %+v followed by a newline and the stack (see Stack).
func (e *PanicError) Format(st fmt.State, verb rune) {
	switch {
	case verb == 'v' && st.Flag('+'):
		var b bytes.Buffer
		b.WriteString(e.Error())
		b.WriteByte('\n')
		e.writeStack(&b)
		st.Write(b.Bytes())
	case verb == 'q':
		fmt.Fprintf(st, "%q", e.Error())
	default:
		fmt.Fprint(st, e.Error())
	}
}
