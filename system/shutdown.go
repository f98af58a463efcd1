package system

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// Shutdown stops every process and waits for them, like
// http.Server.Shutdown: it first refuses new work (Spawn, Send and Request
// return actor.ErrStopped), then sends exit signal actor.Shutdown to the
// top-level processes in reverse spawn order, waiting for each to exit, then
// does the same for any process left. If ctx ends first, every remaining
// process is killed and a *ShutdownError lists those whose callback is still
// running (their goroutines are the only ones of the system that outlive
// Shutdown; no process is left when it returns).
// Shutdown is idempotent: later calls return the first call's result. A
// call made while another is under way waits for it and returns its result,
// or its own ctx.Err() if its ctx ends first (the shutdown goes on under the
// first call's context). Once Shutdown has returned, every Subscription's
// Next returns actor.ErrStopped after the events it holds. A nil ctx is
// refused with actor.ErrNilContext. Called from inside a process's callback
// (Init, Receive, Terminate), which Shutdown would wait for, it returns
// actor.ErrWaitOnSelf at once and stops nothing.
func (s *System) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return actor.ErrNilContext
	}
	if s.callerProcess() != nil {
		return actor.ErrWaitOnSelf
	}
	s.shutMu.Lock()
	if done := s.shutDone; done != nil {
		s.shutMu.Unlock()
		select {
		case <-done:
			return s.shutErr
		default:
		}
		select {
		case <-done:
			return s.shutErr
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.shutDone = make(chan struct{})
	s.shutMu.Unlock()
	s.stopping.Store(true)
	err := s.stopAll(ctx)
	for _, t := range s.timers.close() {
		s.droppedAtShutdown(t)
	}
	if err == nil {
		err = s.waitTurns(ctx)
	}
	// Closed before the rest is killed: a killed process that holds no
	// turn is then drained by Shutdown itself rather than by a goroutine
	// that would outlive it.
	s.workers.close()
	if err != nil {
		err = s.killRest(err)
	}
	if err == nil {
		s.workers.wait() // parked workers and the timer goroutine end at once now
	}
	s.shutErr = err
	s.stopped.Store(true)
	s.endSubscriptions()
	close(s.shutDone)
	return err
}

// killRest kills every process left once Shutdown's context has ended, and
// returns the *ShutdownError naming those whose callback still runs when
// it returns. Before it reports, it lets what the kills set going finish:
// the runtime's bookkeeping of the exits, and callbacks that were only
// waiting on the processes just killed (a supervisor stopping its
// children, a Request to one of them), which return once those are dead.
// It yields until every process is counted out, every goroutine of the
// system left is running a callback, and the number of those has not
// changed for settleRounds yields in a row. The yields are counted, not
// timed, so that the wait also ends inside a testing/synctest bubble,
// whose clock does not move while goroutines run; settleYields bounds it,
// only as a guard against a defect.
func (s *System) killRest(cause error) error {
	var procs []*process
	s.reg.Range(func(_ actor.PID, p *process) bool { procs = append(procs, p); return true })
	s.zombies.Range(func(p *process, _ struct{}) bool { procs = append(procs, p); return true })
	slices.SortFunc(procs, func(a, b *process) int { return cmp.Compare(a.pid.ID(), b.pid.ID()) })
	procs = slices.Compact(procs)
	for _, p := range procs {
		s.kill(p)
	}
	// Only a process whose turn is under way can be in a callback now, or
	// enter one (a turn that saw it alive just before the kill): any other
	// turn of a dead process only drains its mailbox.
	var busy []*process
	for _, p := range procs {
		if st := p.mb.State.Load(); st != mailbox.Idle && st != mailbox.Dead {
			busy = append(busy, p)
		}
	}
	settled := false
	for i, quiet, last := 0, 0, -1; i < settleYields; i++ {
		n := inCallback(busy)
		if s.live.Load() == 0 && s.workers.alive.Load() <= int64(n) && n == last {
			if quiet++; quiet >= settleRounds {
				settled = true
				break
			}
		} else {
			quiet, last = 0, n
		}
		runtime.Gosched()
	}
	if !settled {
		s.logger.Error().Int64("processes", s.live.Load()).Int64("goroutines", s.workers.alive.Load()).
			Msg("shutdown: exits still under way after the deadline")
	}
	var info []ProcessInfo
	for _, p := range busy {
		if p.callingNow() != inNone {
			info = append(info, ProcessInfo{PID: p.pid, Name: p.name})
		}
	}
	err := &ShutdownError{Stuck: info, Err: cause}
	s.logger.Error().Err(err).Msg("shutdown incomplete")
	return err
}

// settleRounds and settleYields bound killRest's wait (see there).
const (
	settleRounds = 1_000
	settleYields = 100_000
)

// inCallback counts the processes of procs whose callback still runs.
func inCallback(procs []*process) (n int) {
	for _, p := range procs {
		if p.callingNow() != inNone {
			n++
		}
	}
	return n
}

// stopAll stops the top-level processes in reverse spawn order, then every
// process left the same way. A process whose stopping can be observed (it
// traps exits or has a Terminate callback) is stopped alone and waited for
// before the next one is signalled; a run of plain processes between two
// such is signalled together and waited for together, so ten thousand busy
// actors stop in one scheduling round rather than one round each.
func (s *System) stopAll(ctx context.Context) error {
	for round := 0; ; round++ {
		var procs []*process
		s.reg.Range(func(_ actor.PID, p *process) bool {
			if round > 0 || p.parent.IsZero() {
				procs = append(procs, p)
			}
			return true
		})
		if len(procs) == 0 && round > 0 {
			return nil
		}
		slices.SortFunc(procs, func(a, b *process) int {
			if a.pid.ID() > b.pid.ID() {
				return -1
			}
			return 1
		})
		var batch []*process
		for _, p := range procs {
			if !p.orderedStop() {
				batch = append(batch, p)
				continue
			}
			if err := s.stopBatch(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
			if err := s.stopBatch(ctx, []*process{p}); err != nil {
				return err
			}
		}
		if err := s.stopBatch(ctx, batch); err != nil {
			return err
		}
	}
}

// orderedStop reports whether p's stopping is observable beyond its exit.
func (p *process) orderedStop() bool {
	if p.trap.Load() {
		return true
	}
	_, ok := p.actor.(actor.Terminator)
	return ok
}

// countdown is a watcher that closes done when n Downs have arrived.
type countdown struct {
	n    atomic.Int64
	done chan struct{}
}

func (c *countdown) down(actor.Ref, actor.PID, error) {
	if c.n.Add(-1) == 0 {
		close(c.done)
	}
}

// stopBatch sends exit signal Shutdown to every process of procs, in order,
// and waits until all have exited.
func (s *System) stopBatch(ctx context.Context, procs []*process) error {
	if len(procs) == 0 {
		return nil
	}
	c := &countdown{done: make(chan struct{})}
	c.n.Store(int64(len(procs)) + 1)
	refs := make([]actor.Ref, len(procs))
	for i, p := range procs {
		refs[i] = actor.NewRef()
		if !p.addWatcher(refs[i], c) {
			c.down(refs[i], p.pid, nil)
			continue
		}
		s.stop(p, actor.Shutdown)
	}
	c.down(actor.Ref{}, actor.PID{}, nil)
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		for i, p := range procs {
			p.removeWatcher(refs[i])
		}
		return ctx.Err()
	}
}

// waitTurns waits until no goroutine of the system runs.
func (s *System) waitTurns(ctx context.Context) error {
	for s.workers.running.Load() > 0 {
		select {
		case <-s.workers.idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
