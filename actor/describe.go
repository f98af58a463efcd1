package actor

// Describer is a read-only view of a process's own state that the process
// publishes with Context.SetDescriber, so that introspection can show what
// only the actor knows (a supervisor's children, a pool's size) without
// sending it a message: a busy or stuck process is described all the same.
//
// Describe is called from any goroutine, at any time, concurrently with the
// process's callbacks, and also after the process has stopped. It must be
// safe for that: read atomics, or copy under a lock held only briefly by
// both sides; never block, send, or call the Context. It returns a plain
// value that it does not modify afterwards. A panic in Describe is
// recovered and shown in place of the description.
type Describer interface {
	Describe() any
}

// DescriberFunc adapts a function to a Describer.
type DescriberFunc func() any

// Describe calls f.
func (f DescriberFunc) Describe() any { return f() }
