package mailbox

// Mailbox bundles the two lanes and the run state of one process: T is the
// user message envelope, S the signal type. The zero value needs Init.
type Mailbox[T, S any] struct {
	User    Queue[T]
	Control Control[S]
	State   RunState
}

// Init prepares the user lane with the given capacity and overflow policy.
func (m *Mailbox[T, S]) Init(capacity int, policy Policy) error {
	return m.User.Init(capacity, policy)
}

// HasWork reports whether either lane may hold something for the consumer.
// It is a hint for the consumer that owns the turn.
func (m *Mailbox[T, S]) HasWork() bool {
	return !m.Control.Empty() || m.User.Len() > 0
}
