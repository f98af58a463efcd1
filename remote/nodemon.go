package remote

import (
	"github.com/airssys/rt/actor"
)

// NodeUp is delivered to a node monitor (Node.MonitorNode) each time the
// node comes up: Incarnation tells a restart from a reconnection.
type NodeUp struct {
	Node        string
	Incarnation uint64
}

// NodeDown is delivered to a node monitor each time the node goes down,
// and at once if it is not up when the monitor is set. Reason is
// actor.NoConnection.
type NodeDown struct {
	Node   string
	Reason error
}

type nodeMon struct {
	watcher actor.PID
	node    string
}

// MonitorNode makes local process watcher receive NodeDown and NodeUp for
// node, as Erlang's monitor_node, until DemonitorNode(ref): a node not up
// gives NodeDown at once (a node never contacted is first tried, for up to
// T). The messages come with the zero PID as sender, and go to the dead
// letters if watcher's mailbox is full.
func (n *Node) MonitorNode(watcher actor.PID, node string) (actor.Ref, error) {
	if watcher.IsZero() {
		return actor.Ref{}, actor.ErrZeroPID
	}
	if n.closed.Load() {
		return actor.Ref{}, ErrClosed
	}
	ref := actor.NewRef()
	n.monMu.Lock()
	n.nodeMons[ref] = nodeMon{watcher: watcher, node: node}
	n.monMu.Unlock()
	if node == n.cfg.Name {
		return ref, nil
	}
	if !validToken(node) {
		_ = n.sys.RemoteSend(nil, actor.PID{}, watcher, NodeDown{Node: node, Reason: actor.NoConnection})
		return ref, nil
	}
	if err := n.ensure(n.peerFor(node)); err != nil {
		_ = n.sys.RemoteSend(nil, actor.PID{}, watcher, NodeDown{Node: node, Reason: actor.NoConnection})
	}
	return ref, nil
}

// DemonitorNode ends the node monitor ref and reports whether it was
// active. A NodeUp or NodeDown already queued may still arrive.
func (n *Node) DemonitorNode(ref actor.Ref) bool {
	n.monMu.Lock()
	defer n.monMu.Unlock()
	_, ok := n.nodeMons[ref]
	delete(n.nodeMons, ref)
	return ok
}

// nodeEvent tells the monitors of node that it came up or went down.
func (n *Node) nodeEvent(node string, up bool, reason error) {
	var inc uint64
	if up {
		if p, ok := n.peers.Load(node); ok {
			inc = p.cur.Load().inc
		}
	}
	n.monMu.Lock()
	var ws []actor.PID
	for _, m := range n.nodeMons {
		if m.node == node {
			ws = append(ws, m.watcher)
		}
	}
	n.monMu.Unlock()
	for _, w := range ws {
		var msg any = NodeDown{Node: node, Reason: reason}
		if up {
			msg = NodeUp{Node: node, Incarnation: inc}
		}
		_ = n.sys.RemoteSend(nil, actor.PID{}, w, msg)
	}
}
