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

// Release ends the consumer's turn if nothing is left for it, and is how a
// consumer must end one: it returns true when the mailbox is now Idle (the
// next push starts a turn), and false when the turn must look again.
//
// Besides the run state's own check (work pushed since the turn last
// looked), it refuses while the user lane holds a message, ready or still
// being written. A producer publishes a message with a release store that
// is not ordered before its Notify's load of the run state, so a producer
// can find the turn Scheduled or Notified (and leave the message to it)
// before the message is visible to Pop. Its claim on the lane is visible by
// then: Release counts claims less released slots, without the DropOldest
// lock, and keeps the turn from ending until the message is taken. (Under
// DropOldest that count can be one too high while a producer evicts, which
// only makes the turn look once more.)
func (m *Mailbox[T, S]) Release() bool {
	if m.User.length() > 0 {
		return false
	}
	return m.State.Release()
}
