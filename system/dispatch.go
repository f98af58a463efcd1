package system

import (
	"github.com/airssys/rt/actor"
)

// dispatch hands one user-lane envelope to the actor.
func (p *process) dispatch(env envelope) {
	msg, kind := env.msg, env.kind()
	var cur current
	switch kind {
	case kindUser:
		msg, cur.req = env.userMsg()
		cur.from = env.from
	case kindDown:
		d := msg.(actor.Down)
		if _, active := p.dropMonitor(d.Ref); !active {
			return // demonitored: no Down after Demonitor
		}
		cur.from = d.PID
	case kindVoid:
		return // unlinked after this Exit was queued
	default: // a trapped Exit
		cur.from = msg.(actor.Exit).From
	}
	p.cur, p.replied = cur, false
	defer p.recoverHandler(msg)
	p.setCalling(inReceive)
	p.actor.Receive(p, msg)
	p.setCalling(inNone)
	p.cur = current{}
	if kind == kindParentExit && p.stop == nil {
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

// handleSignals serves the control lane. Owner only.
func (p *process) handleSignals() {
	b := p.mb.Control.Take()
	for sig, ok := b.Next(); ok; sig, ok = b.Next() {
		if p.status.Load() != statusAlive || p.stop != nil {
			continue // the first exit signal that ends a process fixes its reason
		}
		if sig.kind == sigLinkExit && !p.dropLink(sig.from) && !sig.fatal {
			continue // unlinked meanwhile
		}
		if p.trap.Load() && !sig.fatal {
			kind := kindExit
			if sig.parental || (!sig.from.IsZero() && sig.from == p.parent) {
				kind = kindParentExit
			} else if sig.kind == sigLinkExit {
				kind = kindLinkExit
			}
			// Never refused: the user lane is only closed once dead.
			_ = p.mb.User.PushForce(envelope{msg: actor.Exit{From: sig.from, Reason: sig.reason}, from: mark(kind)})
			continue
		}
		if actor.IsNormal(sig.reason) && !(sig.kind == sigExit && sig.from == p.pid) {
			continue
		}
		p.stop = sig.reason
	}
}
