package system

import (
	"math"
	"runtime"
	"time"
)

// turn is a process's goroutine: it runs while the mailbox has work and
// ends when it is empty (the process then holds no goroutine) or dead.
func (p *process) turn() (next *process) {
	if p.calling != inNone {
		return p.afterGoexit()
	}
	if p.needInit {
		p.mb.State.Begin()
		if !p.runInit() {
			return p.takeHandoff()
		}
	}
	var wait backlog // a mailbox-wait sample under way (metrics only)
	for {
		if !p.mb.State.Begin() {
			return nil
		}
		if p.status.Load() == statusDead {
			p.drain()
			return nil
		}
		n, limit := int32(0), p.throughput
		if p.sys.stopping.Load() {
			limit = 1 // while the system stops, let signals and Shutdown through
		}
		m := p.sys.m
		if m != nil {
			if p.sample(m) {
				// A sampled turn times its first message, and starts a
				// mailbox-wait sample unless one is under way; the loop
				// below is then the same for every turn, metrics or not.
				if !p.mb.Control.Empty() {
					p.handleSignals()
				}
				if p.stop == nil && p.status.Load() == statusAlive {
					start := time.Now()
					if wait.left <= 0 {
						wait = backlog{from: start, left: int32(min(p.mb.User.Len(), math.MaxInt32))}
					}
					if env, ok := p.mb.User.Pop(); ok {
						p.timedDispatch(m, env, start)
						n++
					}
				}
			}
			limit = wait.limit(limit)
		}
		for n < limit {
			if !p.mb.Control.Empty() {
				p.handleSignals()
			}
			if p.stop != nil || p.status.Load() != statusAlive {
				break
			}
			env, ok := p.mb.User.Pop()
			if !ok {
				break
			}
			p.dispatch(env)
			n++
			if p.stop != nil || p.status.Load() != statusAlive {
				break
			}
		}
		if m := p.sys.m; m != nil { // read again: kept live across the loop, it costs a register
			if n > 0 {
				m.delivered(p, n)
			}
			wait.took(m, p, n, limit)
		}
		if p.stop != nil || p.status.Load() != statusAlive {
			p.exit(p.stop, true)
			return p.takeHandoff()
		}
		if n == limit {
			// Fairness: after its throughput a turn gives its processor
			// to the other processes' turns (of any System), if more of
			// them are under way than there are processors; otherwise
			// none of them is waiting for it, and the yield would only
			// slow this one (and let the goroutines feeding it fill its
			// mailbox). GOMAXPROCS is read only when another turn is
			// under way, and then costs about what the yield does.
			if t := turnsUnderWay.Load(); t > 1 && t > int64(runtime.GOMAXPROCS(0)) {
				runtime.Gosched()
			}
			continue
		}
		if rd := p.redirect.Load(); rd != nil && rd.busy.Load() {
			rd.dry(p)
		}
		// Out of work: the mailbox decides whether the turn may end, after
		// lingering for a reply on its way and waiting for a message still
		// being written (see mailbox.Mailbox.EndTurn, and mailbox/doc.go,
		// invariants 3 and 4).
		if !p.mb.EndTurn(n > 0) {
			return nil
		}
	}
}

// afterGoexit finishes the turn whose callback p.calling called
// runtime.Goexit (see System.runTurn): the process exits with p.stop, as
// from a panic in that callback.
func (p *process) afterGoexit() (next *process) {
	at, reason := p.calling, p.stop
	p.setCalling(inNone)
	switch at {
	case inInit:
		p.exit(reason, false)
		p.initCh <- reason
	case inReceive:
		p.cur = current{}
		p.exit(reason, true)
	case inTerminate:
		p.finalize(reason, true)
		p.drain()
	}
	return p.takeHandoff()
}

func (p *process) takeHandoff() *process {
	q := p.handoff
	p.handoff = nil
	return q
}

// wake starts a turn for q, which has work; from an owner's exit the turn is
// handed to the exiting goroutine instead (see process.handoff).
func (s *System) wake(via, q *process) {
	if !q.mb.State.Notify() {
		return
	}
	if via != nil && via.handoff == nil {
		s.turnStarted()
		via.handoff = q
		return
	}
	s.startTurn(q)
}
