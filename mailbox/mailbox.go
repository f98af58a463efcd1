package mailbox

import "runtime"

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

// lingerYields is how many times EndTurn yields, while both lanes stay
// empty, before it tries to end the turn.
const lingerYields = 2

// EndTurn is how the consumer ends a pass over the lanes that stopped
// because the user lane had nothing ready (not one that used its whole
// throughput, nor one that ends the process). took reports whether that
// pass popped any user message. It is the only way a turn may end (see
// doc.go, invariant 4): it returns false when the turn is over and the
// mailbox is Idle (the next Notify starts a new turn, so the consumer must
// not touch the lanes again), and true when the turn must go on: the
// consumer calls RunState.Begin and looks again.
//
// EndTurn never blocks, but it may yield the processor (runtime.Gosched),
// up to three times:
//
//   - First it lingers: while both lanes are empty it yields up to
//     lingerYields times, so that a reply on its way (request and response,
//     ping-pong) finds this turn still running instead of starting another.
//   - Then it ends the turn only if the user lane holds no message, ready or
//     still being written, and no producer notified the turn since Begin
//     (see doc.go, invariant 3). Otherwise the turn goes on.
//   - If the turn goes on although the pass took nothing and no producer
//     notified it, the only cause is a message whose producer has claimed
//     its slot but not yet written it, and may already have left it to this
//     turn. EndTurn then yields once, so that the writer can finish before
//     the consumer looks again.
//
// Under DropOldest the count of queued messages can be one too high while a
// producer evicts, which only makes the turn look once more. EndTurn belongs
// to the consumer that owns the turn.
func (m *Mailbox[T, S]) EndTurn(took bool) (more bool) {
	for i := 0; i < lingerYields && m.User.Len() == 0 && m.Control.Empty(); i++ {
		runtime.Gosched()
	}
	// See doc.go, invariant 3: claims, not ready flags, are counted, and
	// the count is read before the run state's CAS.
	if m.User.length() == 0 && m.State.release() {
		return false
	}
	if !took && m.State.Load() == Running {
		runtime.Gosched()
	}
	return true
}
