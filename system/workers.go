package system

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
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
	alive   atomic.Int64   // the same count, readable
	running atomic.Int64   // turns started and not yet done
	idle    chan struct{}  // signalled when running reaches zero while stopping

	mu      sync.Mutex
	parked  []chan *process
	maxIdle int
	closed  bool
	byG     map[uint64]*worker // the workers, by goroutine ID, while they run
}

// worker is one goroutine that runs turns. cur is the process whose turn
// it runs, written and read only by that goroutine: a call a callback
// makes finds its own process through it (see callerProcess).
type worker struct {
	g   uint64
	cur *process
}

func (w *workers) init() {
	w.idle = make(chan struct{}, 1)
	w.maxIdle = 4 * runtime.GOMAXPROCS(0)
	w.byG = make(map[uint64]*worker)
}

// enter records the calling goroutine as a worker until leave.
func (w *workers) enter() *worker {
	wk := &worker{g: goroutineID()}
	w.mu.Lock()
	w.byG[wk.g] = wk
	w.mu.Unlock()
	return wk
}

func (w *workers) leave(wk *worker) {
	w.mu.Lock()
	delete(w.byG, wk.g)
	w.mu.Unlock()
}

// callerProcess returns the process whose callback is running on the
// calling goroutine, or nil when the caller is not inside a callback. It
// is for calls that would otherwise wait on their own caller (Shutdown,
// Stop or Request of the calling process), not for the hot paths: it
// reads the goroutine's ID from its stack.
func (s *System) callerProcess() *process {
	g := goroutineID()
	w := &s.workers
	w.mu.Lock()
	wk := w.byG[g]
	w.mu.Unlock()
	if wk == nil {
		return nil
	}
	return wk.cur // written by this very goroutine
}

// inOwnTurn reports whether the caller is one of p's callbacks. Only a
// process whose turn is under way can be, so the goroutine's ID is read
// only then.
func (s *System) inOwnTurn(p *process) bool {
	if st := p.mb.State.Load(); st != mailbox.Running && st != mailbox.Notified {
		return false
	}
	return s.callerProcess() == p
}

// goroutineID returns the calling goroutine's ID, from the first line of
// its stack trace ("goroutine 42 [running]:").
func goroutineID() uint64 {
	var buf [32]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	var id uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

// goLocked starts f on a new goroutine, counted until f returns. It is the
// one place where the runtime starts a goroutine. The caller holds w.mu and
// has checked that w is not closed.
func (w *workers) goLocked(f func()) {
	w.wg.Add(1)
	w.alive.Add(1)
	go func() {
		defer w.wg.Done()
		defer w.alive.Add(-1)
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
	wk := w.enter()
	defer w.leave(wk)
	ch := make(chan *process, 1)
	for p != nil {
		wk.cur = p
		next := s.runTurn(p)
		wk.cur = nil
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
