package remote

import (
	"encoding/binary"

	"github.com/airssys/rt/actor"
)

// Frame kinds. Every frame starts with its kind, the sender's name and
// incarnation, and the session of the pair (see peer.go); the rest is the
// kind's own fields, in the order the send functions write them.
const (
	kHello       byte = iota + 1 // sess: a new session, offered; stamp, T
	kAck                         // sess: the session accepted; stamp, echo, T
	kHeartbeat                   // stamp, echo; on the heartbeat lane
	kBye                         // the sender is closing
	kReset                       // stale sess: the sender no longer has that session
	kSend                        // from, toInc, to, payload
	kSendName                    // from, name, payload
	kRequest                     // from, toInc, to, req, payload
	kRequestName                 // from, name, req, payload
	kReply                       // req, status, payload or reason
	kLink                        // from, toInc, to
	kUnlink                      // from, toInc, to
	kMonitor                     // watcher, wref, toInc, to
	kDemonitor                   // watcher, wref, toInc, to
	kExit                        // from, toInc, to, link, reason
	kDown                        // watcher, wref, target, reason
	kSpawn                       // req, kind, linkTo, payload
	kSpawned                     // req, status, id or reason
	kEcho                        // echo: a stamp taken, answered (see lease.go)
)

// Reply status.
const (
	replyValue byte = iota
	replyErrorValue
	replyFailed
)

func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// header starts a frame of kind from node n in session sess.
func (n *Node) header(b []byte, kind byte, sess uint64) []byte {
	b = append(b, kind)
	b = appendString(b, n.cfg.Name)
	b = appendUvarint(b, n.inc)
	return appendUvarint(b, sess)
}

// reader decodes a frame; a short or malformed frame sets bad and yields
// zero values, never a panic.
type reader struct {
	b   []byte
	bad bool
	pid actor.PID // the process a reason being read belongs to
}

func (r *reader) fail() { r.bad = true; r.b = nil }

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) string() string { return string(r.bytes()) }

// rest returns what is left of the frame.
func (r *reader) rest() []byte {
	s := r.b
	r.b = nil
	return s
}
