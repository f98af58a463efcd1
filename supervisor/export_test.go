package supervisor

import "time"

// History exposes the restart history to the tests of the pure policy.
type History = history

// Admit applies the intensity rule (see history.admit).
func (h *history) Admit(now time.Time, intensity int, period time.Duration) bool {
	return h.admit(now, intensity, period)
}

// Record notes a delayed restart (see history.record).
func (h *history) Record(now time.Time, intensity int, period time.Duration) {
	h.record(now, intensity, period)
}

// Len returns the number of restarts remembered.
func (h *history) Len() int { return h.n }

// Cap returns the room the history holds.
func (h *history) Cap() int { return len(h.buf) }

// BackoffDelay is the delay policy of Backoff.
var BackoffDelay = backoffDelay
