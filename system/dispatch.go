package system

import (
	"github.com/airssys/rt/actor"
)

// dispatch hands one user-lane envelope to the actor.
func (p *process) dispatch(env envelope) {
	msg, kind := env.msg, env.kind()
	cur := current{msg: msg}
	switch kind {
	case kindUser:
		msg, cur.req = env.userMsg()
		cur.from, cur.msg = env.from, msg
	case kindDown:
		d := msg.(actor.Down)
		if _, active := p.dropMonitor(d.Ref); !active {
			return // demonitored: no Down after Demonitor
		}
		cur.from = d.PID
	case kindVoid:
		return // unlinked after this Exit was queued
	case kindProbe:
		p.answerProbe(msg.(probe))
		return
	case kindIdle:
		p.rt.queued.Store(false)
		if !p.receiveTimeout(msg.(uint64)) {
			return // a message came after it was sent
		}
		msg = actor.ReceiveTimeout{}
		cur.msg = msg
	default: // an exit signal, received here, in its sender's order
		x := msg.(actor.Exit)
		if !p.receiveExit(kind, x) {
			return
		}
		cur.from = x.From
	}
	p.cur, p.replied = cur, false
	defer p.recoverHandler(msg)
	p.setCalling(inReceive)
	p.actor.Receive(p, msg)
	p.setCalling(inNone)
	p.cur = current{}
	if p.rt != nil && kind != kindIdle {
		p.rt.touch()
	}
	if endsAfter(kind) && p.stop == nil {
		// As OTP's behaviours do: an exit signal from the parent ends a
		// trapping process once it has seen it, with the parent's reason.
		// System.Stop and Shutdown stand parent to every process.
		p.stop = msg.(actor.Exit).Reason
	}
}

// recoverHandler turns a panic in Receive into the process's exit reason;
// msg, whose handler crashed, is lost and counted.
func (p *process) recoverHandler(msg any) {
	if v := recover(); v != nil {
		p.setCalling(inNone)
		p.cur = current{}
		pe := actor.NewPanicError(p.pid, v)
		pe.MessageType = typeName(msg)
		p.stop = pe
		p.sys.crashed.Add(1)
	}
}

// receiveExit applies Erlang's rules to exit signal x as p receives it,
// and reports whether it is delivered as an Exit message: a process that
// traps exits gets it; otherwise Normal is ignored (unless p sent it to
// itself) and any other reason ends p here. A link's signal that arrives
// after Unlink is ignored. Owner only.
func (p *process) receiveExit(kind uint8, x actor.Exit) bool {
	if isLinkExit(kind) && !p.dropLink(x.From) {
		return false // unlinked meanwhile
	}
	if p.trap.Load() {
		return true
	}
	if !actor.IsNormal(x.Reason) || (!isLinkExit(kind) && x.From == p.pid) {
		p.stop = x.Reason
	}
	return false
}

// handleSignals serves the control lane, which holds only the exit signals
// found fatal when sent (see process.doom): each ends p, the first fixing
// its reason, even if p has trapped exits or unlinked since. Owner only.
func (p *process) handleSignals() {
	b := p.mb.Control.Take()
	for sig, ok := b.Next(); ok; sig, ok = b.Next() {
		if p.status.Load() != statusAlive || p.stop != nil {
			continue // the first exit signal that ends a process fixes its reason
		}
		if sig.kind == sigLinkExit {
			p.dropLink(sig.from)
		}
		p.stop = sig.reason
	}
}
