package system

import (
	"errors"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// exit ends the process from its own goroutine: Terminate (unless Init
// failed), then finalize and drain. reason nil means Normal.
func (p *process) exit(reason error, terminate bool) {
	if reason == nil {
		reason = actor.Normal
	}
	p.mu.Lock()
	if p.status.Load() != statusAlive {
		p.mu.Unlock()
		p.drain() // killed meanwhile
		return
	}
	p.status.Store(statusExiting)
	p.reason = reason
	p.mu.Unlock()
	if t, ok := p.actor.(actor.Terminator); ok && terminate {
		if err := p.callTerminate(t, reason); err != nil {
			reason = err
		}
	}
	p.finalize(reason, true)
	p.drain()
}

func (p *process) callTerminate(t actor.Terminator, reason error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			p.setCalling(inNone)
			err = actor.NewPanicError(p.pid, v)
		}
	}()
	p.cur = current{}
	p.setCalling(inTerminate)
	t.Terminate(p, reason)
	p.setCalling(inNone)
	return nil
}

// finalize makes the process dead for everyone: it leaves the registry, its
// context is cancelled, its links get exit signals and its monitors Down.
// Any goroutine may call it; only the first call acts. owner says the caller
// holds p's turn, which may then run one woken peer next.
func (p *process) finalize(reason error, owner bool) bool {
	p.mu.Lock()
	if p.status.Load() == statusDead {
		p.mu.Unlock()
		return false
	}
	// Close first: a turn that sees the status dead drains a lane no
	// producer can push to any more, so nothing is stranded.
	p.mb.User.Close()
	p.status.Store(statusDead)
	p.reason = reason
	ext := p.ext
	p.ext = nil
	parentLink := p.parentLink
	p.parentLink = false
	p.mu.Unlock()

	s := p.sys
	var via *process
	if owner {
		via = p
	}
	s.reg.Remove(p.pid)
	// Counted out before anyone is told, so that whoever sees the exit (a
	// Down, an Exit, a Spawn that failed) also sees Processes() without it.
	s.live.Add(-1)
	if m := s.m; m != nil {
		m.kind(p.kind).exited[ClassifyExit(reason)].Add(1)
	}
	if parentLink {
		s.signalVia(via, p.parent, signal{kind: sigLinkExit, from: p.pid, reason: reason})
	}
	if ext != nil {
		if ext.cancel != nil {
			ext.cancel()
		}
		if ext.die != nil {
			ext.die()
		}
		// Nobody changes the list once p.ext is nil (see disownTimer).
		for t := ext.timers; t != nil; t = t.next {
			s.timers.cancel(t)
		}
		for pid := range ext.links.All() {
			s.signalVia(via, pid, signal{kind: sigLinkExit, from: p.pid, reason: reason})
		}
		for ref, w := range ext.watchers {
			if q, ok := w.(*process); ok {
				s.pushForceVia(via, q, downEnvelope(ref, p.pid, reason))
				continue
			}
			w.down(ref, p.pid, reason)
		}
		for ref, pid := range ext.monitors {
			if q, ok := s.reg.Lookup(pid); ok {
				q.removeWatcher(ref)
			} else if fs := s.foreignFor(pid); fs != nil {
				fs.f.Demonitor(p.pid, ref, pid)
			}
		}
	}
	s.logExit(p, reason)
	if s.hasSubscribers() {
		s.Publish(actor.ProcessExited{PID: p.pid, Name: p.name, Reason: reason})
	}
	return true
}

func (s *System) logExit(p *process, reason error) {
	if actor.IsClean(reason) {
		if s.debug {
			s.logger.Debug().Stringer("pid", p.pid).Str("name", p.name).AnErr("reason", reason).Msg("process exited")
		}
		return
	}
	ev := s.logger.Error()
	if ev == nil {
		return // logging disabled: no work at all
	}
	ev = ev.Stringer("pid", p.pid).Str("name", p.name).AnErr("reason", reason)
	var pe *actor.PanicError
	if errors.As(reason, &pe) {
		ev = ev.Bytes("stack", pe.Stack())
		if pe.MessageType != "" {
			ev = ev.Str("message_type", pe.MessageType)
		}
	}
	ev.Msg("process crashed")
}

// drain, run by the owner of the turn once the process is dead, sends the
// queued messages to the dead letters and retires the mailbox.
func (p *process) drain() {
	s := p.sys
	p.mb.User.Drain(func(env envelope) {
		if env.kind() == kindUser {
			msg, _ := env.userMsg()
			s.deadLetter(p.pid, env.from, msg, actor.ErrNoProcess)
		}
	})
	p.mb.Control.Take()
	// Out of zombies before the mailbox is Dead: whoever sees Dead sees
	// the process untracked.
	s.zombies.Delete(p)
	p.mb.State.Kill()
}

// kill ends p at once with reason Killed, whatever it is doing.
//
// A process whose turn is under way is recorded in zombies before it is
// finalized, so that the owner's drain, which can only come after, always
// finds the entry to delete.
func (s *System) kill(p *process) {
	running := p.mb.State.Load()
	tracked := false
	if running == mailbox.Running || running == mailbox.Notified {
		_, loaded := s.zombies.LoadOrStore(p, struct{}{})
		tracked = !loaded
	}
	if !p.finalize(actor.Killed, false) {
		if tracked {
			s.zombies.Delete(p) // dead already, by another hand: not ours to track
		}
		return
	}
	// Whoever owns the turn drains; an idle process gets a turn to do it.
	if p.mb.State.Notify() {
		s.startTurn(p)
	}
}
