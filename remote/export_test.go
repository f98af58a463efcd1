package remote

import "sync"

// HoldInbound makes n's data lane wait, before the next frame it takes,
// until release is called; its heartbeat lane goes on.
func HoldInbound(n *Node) (release func()) {
	ch := make(chan struct{})
	n.hold.Store(&ch)
	var once sync.Once
	return func() {
		once.Do(func() {
			n.hold.Store(nil)
			close(ch)
		})
	}
}

// MuteBeats stops (on) or resumes everything n sends on its heartbeat
// lane: its heartbeats and its echoes of its peers' stamps.
func MuteBeats(n *Node, on bool) { n.mute.Store(on) }
