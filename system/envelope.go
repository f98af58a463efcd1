package system

import "github.com/airssys/rt/actor"

// envelope kinds.
const (
	kindUser uint8 = iota
	kindDown
	kindLinkExit
	kindExit
	kindParentExit     // an Exit the process must stop after seeing
	kindVoid           // a link Exit queued before an Unlink: never delivered
	kindIdle           // a ReceiveTimeout; msg is the count it checks (see recvTimeout)
	kindParentLinkExit // the parent's exit through their link: both of the above
	kindProbe          // a health probe; msg is a probe, answered by the runtime
)

// isLinkExit reports whether kind is an exit signal through a link, which
// Unlink voids and which is received only while the link holds.
func isLinkExit(kind uint8) bool { return kind == kindLinkExit || kind == kindParentLinkExit }

// endsAfter reports whether kind is an Exit a trapping process must stop
// after seeing: a stop from its parent or the system.
func endsAfter(kind uint8) bool { return kind == kindParentExit || kind == kindParentLinkExit }

// envelope is one entry of the user lane. It is kept to three words, so
// that with the queue's ready flag a slot is 32 bytes and two share a cache
// line: the consumer reads, and the producers write, half as many lines
// per message as with a five-word envelope.
//
// A user message carries its sender in from (the zero PID when sent from
// outside any process); a Request's message is wrapped in its *request.
// Messages the runtime makes (Down, trapped Exit) carry instead a mark in
// from: a PID of system 0, which no system has, whose number is the kind.
// Their sender, for Sender, is in the message itself (see dispatch).
type envelope struct {
	msg  any
	from actor.PID
}

// mark returns the from of a runtime message of kind k.
func mark(k uint8) actor.PID { return actor.NewPID(0, uint64(k)) }

func (e envelope) kind() uint8 {
	if e.from.System() != 0 {
		return kindUser
	}
	return uint8(e.from.ID()) // the zero PID is kindUser too
}

// userMsg returns the message as the actor sees it, and the Request it
// belongs to, if any.
func (e envelope) userMsg() (any, *request) {
	if r, ok := e.msg.(*request); ok {
		return r.msg, r
	}
	return e.msg, nil
}

func isSignal(env envelope) bool { return env.kind() != kindUser }

// downEnvelope is the Down a watcher receives when pid exits.
func downEnvelope(ref actor.Ref, pid actor.PID, reason error) envelope {
	return envelope{msg: actor.Down{Ref: ref, PID: pid, Reason: reason}, from: mark(kindDown)}
}

// current is what the Context reports about the message being handled.
type current struct {
	from actor.PID
	req  *request
	msg  any // for Forward and Refuse
}

// signal kinds.
const (
	sigExit     uint8 = iota // Exit(pid, reason) from another process or the system
	sigLinkExit              // a linked process exited
)

// signal is an exit signal on its way (see process.enqueueSignal): on the
// control lane if it is fatal, else as an Exit in the user lane.
type signal struct {
	kind   uint8
	from   actor.PID
	reason error
	// parental marks a stop request from the system (Stop, Shutdown),
	// which a trapping process honours as one from its parent.
	parental bool
	// fatal marks a signal that was found, when sent, to end a process
	// that did not trap exits; its context was cancelled then, so the
	// signal ends it even if it traps exits or unlinks before it sees it.
	// Only fatal signals travel on the control lane.
	fatal bool
}
