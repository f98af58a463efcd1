package remote

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// nodeID is one incarnation of one node, as PIDs name it: the 16-bit
// system number its PIDs carry in this program. The table is shared by
// every node of the program, so a PID has one value whichever local node
// holds it: nodes in one program see each other's PIDs as the PIDs their
// own systems issue.
type nodeID struct {
	cluster string
	name    string
	inc     uint64
	num     uint16
	local   bool
	// dead is set once a later incarnation of the node has been seen, or
	// the node was closed: its PIDs name processes that no longer exist.
	dead atomic.Bool
}

type nodeKey struct {
	cluster, name string
	inc           uint64
}

var table struct {
	mu    sync.Mutex
	byKey map[nodeKey]*nodeID
	byNum [1 << 16]atomic.Pointer[nodeID]
}

// idFor returns the nodeID of cluster/name/inc, reserving a number for it
// the first time.
func idFor(cluster, name string, inc uint64) *nodeID {
	k := nodeKey{cluster, name, inc}
	table.mu.Lock()
	defer table.mu.Unlock()
	if id := table.byKey[k]; id != nil {
		return id
	}
	id := &nodeID{cluster: cluster, name: name, inc: inc, num: system.ReserveNumber()}
	if table.byKey == nil {
		table.byKey = make(map[nodeKey]*nodeID)
	}
	table.byKey[k] = id
	table.byNum[id.num].Store(id)
	return id
}

// registerLocal records that sys, numbered num, is node cluster/name/inc.
// false if that incarnation is already known (an Incarnation given twice).
func registerLocal(cluster, name string, inc uint64, num uint16) (*nodeID, bool) {
	k := nodeKey{cluster, name, inc}
	table.mu.Lock()
	defer table.mu.Unlock()
	if table.byKey[k] != nil {
		return nil, false
	}
	if table.byKey == nil {
		table.byKey = make(map[nodeKey]*nodeID)
	}
	id := &nodeID{cluster: cluster, name: name, inc: inc, num: num, local: true}
	table.byKey[k] = id
	table.byNum[num].Store(id)
	return id, true
}

// idOf returns the node a PID names, or nil for a PID of no known node.
func idOf(pid actor.PID) *nodeID { return table.byNum[pid.System()].Load() }

// NodeOf returns the name of the node a PID names, and its incarnation;
// ok is false for a PID of a system that is no node (a plain local
// system). It never blocks.
func NodeOf(pid actor.PID) (name string, incarnation uint64, ok bool) {
	id := idOf(pid)
	if id == nil || pid.IsZero() {
		return "", 0, false
	}
	return id.name, id.inc, true
}

func (id *nodeID) String() string {
	return id.name + "#" + strconv.FormatUint(id.inc, 10)
}
