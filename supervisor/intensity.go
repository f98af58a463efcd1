package supervisor

import (
	"math"
	"time"
)

// history is the restart history of one supervisor: the times of its recent
// restarts, oldest first, in a ring that never holds more than the
// intensity (or than an earlier, higher one, until the window moves on).
// Restarts older than the period are forgotten as time passes, so a
// restart costs the same after a million earlier ones. The intensity and
// period are arguments, not state: Reconfigure changes them and the same
// history is judged by the new ones.
type history struct {
	buf  []time.Time
	head int
	n    int
}

// admit is the restart-intensity rule, a pure function of the history and
// now: it forgets the restarts at least period before now, then allows one
// more restart if that keeps at most intensity restarts in the window,
// recording it. A refused restart is not recorded. Amortised O(1); memory
// O(intensity).
func (h *history) admit(now time.Time, intensity int, period time.Duration) bool {
	h.prune(now, period)
	if h.n >= intensity {
		return false
	}
	h.push(now)
	return true
}

// record notes a restart made beyond the intensity (a delayed restart under
// Backoff), dropping the oldest entries to keep at most intensity of them
// (more than one when the intensity was lowered since they were made).
func (h *history) record(now time.Time, intensity int, period time.Duration) {
	h.prune(now, period)
	for h.n > 0 && h.n >= intensity {
		h.pop()
	}
	if intensity > 0 {
		h.push(now)
	}
}

// len returns the number of restarts remembered.
func (h *history) len() int { return h.n }

func (h *history) prune(now time.Time, period time.Duration) {
	for h.n > 0 && now.Sub(h.buf[h.head]) >= period {
		h.pop()
	}
}

func (h *history) pop() {
	h.buf[h.head] = time.Time{}
	h.head = (h.head + 1) % len(h.buf)
	h.n--
}

func (h *history) push(t time.Time) {
	if h.n == len(h.buf) {
		buf := make([]time.Time, max(4, 2*len(h.buf)))
		for i := range h.n {
			buf[i] = h.buf[(h.head+i)%len(h.buf)]
		}
		h.buf, h.head = buf, 0
	}
	h.buf[(h.head+h.n)%len(h.buf)] = t
	h.n++
}

// backoffDelay returns the delay of the attempt-th delayed restart (from 0):
// Base doubled attempt times, at most Max, plus jitter×Jitter of it, where
// jitter is a random number in [0, 1).
func backoffDelay(b Backoff, attempt int, jitter float64) time.Duration {
	d := b.Max
	if attempt < 63 && b.Base <= b.Max>>attempt {
		d = b.Base << attempt
	}
	if b.Jitter > 0 {
		j := float64(d) * b.Jitter * jitter
		if j >= float64(math.MaxInt64-d) {
			return math.MaxInt64
		}
		d += time.Duration(j)
	}
	return d
}
