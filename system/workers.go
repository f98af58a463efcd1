package system

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/airssys/rt/actor"
)

// workers owns every goroutine the runtime starts: the goroutines that run
// turns and the one that serves timers. It starts them in one function
// (goLocked), counts them until they return, and refuses new ones once it is
// closed, which Shutdown does after every process has exited or been
// killed; Shutdown then waits for the count to reach zero.
//
// A turn goes to a parked worker if one is idle, or to a new worker
// otherwise; workers park between turns (up to maxIdle of them) so that a
// busy system neither creates a goroutine nor grows a fresh stack per turn.
// Parked workers exit when the workers close.
type workers struct {
	wg      sync.WaitGroup // every goroutine started and not yet returned
	running atomic.Int64   // turns started and not yet done
	idle    chan struct{}  // signalled when running reaches zero while stopping

	mu      sync.Mutex
	parked  []chan *process
	maxIdle int
	closed  bool
}

func (w *workers) init() {
	w.idle = make(chan struct{}, 1)
	w.maxIdle = 4 * runtime.GOMAXPROCS(0)
}

// goLocked starts f on a new goroutine, counted until f returns. It is the
// one place where the runtime starts a goroutine. The caller holds w.mu and
// has checked that w is not closed.
func (w *workers) goLocked(f func()) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		f()
	}()
}

// goFunc starts f on a counted goroutine and reports whether it did: once
// the workers are closed it starts nothing.
func (w *workers) goFunc(f func()) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	w.goLocked(f)
	return true
}

// close makes every parked worker exit and refuses every later goroutine.
func (w *workers) close() {
	w.mu.Lock()
	w.closed = true
	for _, ch := range w.parked {
		ch <- nil
	}
	w.parked = nil
	w.mu.Unlock()
}

// wait blocks until every goroutine the workers started has returned.
func (w *workers) wait() { w.wg.Wait() }

// startTurn runs a turn of p, whose mailbox the caller has moved from Idle
// to Scheduled (RunState.Notify returned true). Once the workers are closed
// no process is alive, and a dead process's turn only drains its mailbox:
// the caller, who holds that turn, drains it itself.
func (s *System) startTurn(p *process) {
	s.turnStarted()
	w := &s.workers
	w.mu.Lock()
	if n := len(w.parked); n > 0 {
		ch := w.parked[n-1]
		w.parked = w.parked[:n-1]
		w.mu.Unlock()
		ch <- p
		return
	}
	if w.closed {
		w.mu.Unlock()
		s.turnDone()
		if p.status.Load() == statusDead {
			p.drain()
		}
		return
	}
	w.goLocked(func() { s.work(p) })
	w.mu.Unlock()
}

// work runs turns until the pool has enough parked workers or is closed.
func (s *System) work(p *process) {
	w := &s.workers
	ch := make(chan *process, 1)
	for p != nil {
		next := s.runTurn(p)
		if next != nil {
			p = next
			continue
		}
		w.mu.Lock()
		if w.closed || len(w.parked) >= w.maxIdle {
			w.mu.Unlock()
			return
		}
		w.parked = append(w.parked, ch)
		w.mu.Unlock()
		p = <-ch
	}
}

// runTurn runs one turn of p and counts it done.
//
// A callback that calls runtime.Goexit (t.FailNow and testify's require do)
// ends this goroutine: recover cannot stop it, and the deferred call below
// runs on the way out, with p.calling still naming the callback. The
// process then crashes with ErrGoexit as a panic's value, and the rest of
// its turn (the exit, what Init's caller waits for, the handoff) runs on a
// new goroutine, which also counts the turn done.
func (s *System) runTurn(p *process) (next *process) {
	returned := false
	defer func() {
		if returned || p.calling == inNone {
			// Returned (p may belong to another turn by now), or a
			// runtime panic, which must go on.
			return
		}
		pe := actor.NewPanicError(p.pid, actor.ErrGoexit)
		if p.calling == inReceive {
			pe.MessageType = "(unknown)"
			s.crashed.Add(1)
		}
		p.stop = pe
		if !s.workers.goFunc(func() { s.work(p) }) {
			s.work(p) // closed by a Shutdown that gave up: finish here
		}
	}()
	next = p.turn()
	returned = true
	s.turnDone()
	return next
}

// turnsUnderWay counts the turns started and not yet done in every System
// of the program, for the fairness yield (see process.turn).
var turnsUnderWay atomic.Int64

func (s *System) turnStarted() {
	s.workers.running.Add(1)
	turnsUnderWay.Add(1)
}

func (s *System) turnDone() {
	turnsUnderWay.Add(-1)
	if s.workers.running.Add(-1) == 0 && s.stopping.Load() {
		select {
		case s.workers.idle <- struct{}{}:
		default:
		}
	}
}
