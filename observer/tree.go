package observer

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// Tree is a system's supervision tree, built from one system.Snapshot by
// BuildTree: every process appears once, under the supervisor (or the
// process) that spawned it. Its JSON form is the schema the observer's
// endpoints serve (see docs/observer.md).
type Tree struct {
	// At is when the snapshot was taken.
	At time.Time `json:"at"`
	// Processes is the number of live processes in the snapshot.
	Processes int `json:"processes"`
	// Roots are the processes spawned by the system itself, in PID order
	// (and any process whose parent had exited when the snapshot was
	// taken).
	Roots []*Node `json:"roots"`
}

// Node is one process of a Tree, or one child of a supervisor that has no
// process now (stopped, or waiting to restart).
type Node struct {
	// PID is empty for a supervisor's child with no process.
	PID string `json:"pid,omitempty"`
	// ID is the child's ID within its supervisor, empty if the parent is
	// not a supervisor.
	ID string `json:"id,omitempty"`
	// Name is the registered name given at spawn, if any.
	Name  string `json:"name,omitempty"`
	Actor string `json:"actor,omitempty"`
	// Kind is "supervisor" for a supervisor, otherwise "worker".
	Kind string `json:"kind"`
	// State is the child's life-cycle state under its supervisor
	// (starting, running, stopping, stopped, restarting, failed) or, for
	// a process with no supervisor, "running" (live).
	State string `json:"state"`
	// Run is the process's run state (idle, scheduled, running, exiting),
	// empty with no process.
	Run string `json:"run,omitempty"`
	// Callback is the callback running (init, receive, terminate), and
	// RunningMS how long it has been seen running it, in milliseconds.
	Callback  string `json:"callback,omitempty"`
	RunningMS int64  `json:"running_ms,omitempty"`

	// The child's spec under its supervisor.
	Restart  string `json:"restart,omitempty"`
	Shutdown string `json:"shutdown,omitempty"`
	Restarts int    `json:"restarts"`
	// LastExit is the exit reason of the process this one replaced.
	LastExit string `json:"last_exit,omitempty"`
	// Breaker is the state of the circuit breaker the child waits on
	// ("open", or "half_open" for the child on probation); empty when
	// closed.
	Breaker string `json:"breaker,omitempty"`

	// A supervisor's spec.
	Strategy   string `json:"strategy,omitempty"`
	Intensity  int    `json:"intensity,omitempty"`
	Period     string `json:"period,omitempty"`
	Escalation string `json:"escalation,omitempty"`

	MailboxLen int    `json:"mailbox_len"`
	MailboxCap int    `json:"mailbox_cap"`
	Received   uint64 `json:"received"`
	TrapExit   bool   `json:"trap_exit,omitempty"`

	// Links and Monitors (the processes this one monitors) are listed
	// only when the tree was built with links.
	Links    []string `json:"links,omitempty"`
	Monitors []string `json:"monitors,omitempty"`

	Children []*Node `json:"children,omitempty"`
	// More counts the children left out beyond the build's limit.
	More int `json:"more,omitempty"`
}

// TreeOptions shape BuildTree. The zero value keeps every child and leaves
// links and monitors out.
type TreeOptions struct {
	// MaxChildren, if above zero, keeps at most that many children per
	// node (the first in start order) and counts the rest in Node.More,
	// so that a supervisor of 100,000 children stays readable.
	MaxChildren int
	// Links lists each node's links and monitors.
	Links bool
}

// BuildTree arranges snap as a supervision tree. It reads only the
// snapshot.
func BuildTree(snap *system.Snapshot, opts TreeOptions) *Tree {
	t := &Tree{At: snap.At, Processes: len(snap.Processes)}
	b := builder{snap: snap, opts: opts, placed: make([]bool, len(snap.Processes)), spawned: make(map[actor.PID][]int)}
	// A supervisor's children are listed from its Info, in start order;
	// they are claimed first, so that they are not listed again below.
	var pids []actor.PID
	for i := range snap.Processes {
		if info, ok := snap.Processes[i].Description.(supervisor.Info); ok {
			pids = pids[:0]
			for j := range info.Children {
				if pid := info.Children[j].PID; !pid.IsZero() {
					pids = append(pids, pid)
				}
			}
			b.claim(pids)
		}
	}
	// The other processes each process spawned, in PID order.
	for i := range snap.Processes {
		p := &snap.Processes[i]
		if !p.Parent.IsZero() && !b.placed[i] {
			b.spawned[p.Parent] = append(b.spawned[p.Parent], i)
		}
	}
	for i := range snap.Processes {
		p := &snap.Processes[i]
		if _, ok := snap.Find(p.Parent); ok && !p.Parent.IsZero() {
			continue
		}
		t.Roots = append(t.Roots, b.process(p, nil))
	}
	return t
}

type builder struct {
	snap    *system.Snapshot
	opts    TreeOptions
	placed  []bool // by index in snap.Processes: listed under a supervisor
	spawned map[actor.PID][]int
}

// claim marks the processes of pids as placed. The PIDs are sorted (a
// supervisor's children usually are already, in start order) and merged
// with the snapshot's, so that claiming 100,000 children is one pass, not
// 100,000 searches.
func (b *builder) claim(pids []actor.PID) {
	slices.SortFunc(pids, func(x, y actor.PID) int { return cmp.Compare(x.ID(), y.ID()) })
	ps := b.snap.Processes
	j := 0
	if len(pids) > 0 {
		j, _ = b.snap.Index(pids[0])
	}
	for _, pid := range pids {
		for j < len(ps) && ps[j].PID.ID() < pid.ID() {
			j++
		}
		if j < len(ps) && ps[j].PID == pid {
			b.placed[j] = true
		}
	}
}

// process makes the node of p, as child view cv of its supervisor if cv is
// not nil.
func (b *builder) process(p *system.ProcessState, cv *supervisor.ChildView) *Node {
	n := &Node{
		PID: p.PID.String(), Name: p.Name, Actor: p.Actor, Kind: "worker", State: "running",
		Run: p.State.String(), Callback: p.Callback, RunningMS: p.RunningFor.Milliseconds(),
		MailboxLen: p.MailboxLen, MailboxCap: p.MailboxCap, Received: p.Received, TrapExit: p.TrapExit,
	}
	if cv != nil {
		b.child(n, cv)
	}
	if b.opts.Links {
		n.Links = pidStrings(p.Links)
		n.Monitors = pidStrings(p.Monitors)
	}
	info, isSup := p.Description.(supervisor.Info)
	if isSup {
		n.Kind = "supervisor"
		n.Strategy = info.Strategy.String()
		n.Intensity = info.Intensity
		n.Period = info.Period.String()
		n.Escalation = escalationName(info.Escalation)
		for i := range info.Children {
			c := &info.Children[i]
			if b.full(n) {
				n.More++
				continue
			}
			if q, ok := b.snap.Find(c.PID); ok {
				b.add(n, func() *Node { return b.process(q, c) })
				continue
			}
			b.add(n, func() *Node {
				m := &Node{Kind: "worker"}
				b.child(m, c)
				return m
			})
		}
	}
	for _, i := range b.spawned[p.PID] {
		q := &b.snap.Processes[i]
		b.add(n, func() *Node { return b.process(q, nil) })
	}
	return n
}

// add appends the node mk makes to n's children, or counts it in More
// past the limit (then mk is not called, and its subtree is not built).
func (b *builder) add(n *Node, mk func() *Node) {
	if b.full(n) {
		n.More++
		return
	}
	n.Children = append(n.Children, mk())
}

// full reports whether n has as many children as the options keep.
func (b *builder) full(n *Node) bool {
	return b.opts.MaxChildren > 0 && len(n.Children) >= b.opts.MaxChildren
}

// child fills n with what its supervisor knows of it.
func (b *builder) child(n *Node, cv *supervisor.ChildView) {
	n.ID = cv.ID
	n.State = cv.State.String()
	n.Restart = cv.Restart.String()
	n.Shutdown = cv.Shutdown.String()
	n.Restarts = cv.Restarts
	if cv.Kind == supervisor.Supervisor {
		n.Kind = "supervisor"
	}
	if cv.LastExit != nil {
		n.LastExit = cv.LastExit.Error()
	}
	if cv.Breaker != supervisor.Closed {
		n.Breaker = cv.Breaker.String()
	}
}

func escalationName(e supervisor.Escalation) string {
	if e == nil {
		return fmt.Sprint(supervisor.Escalate)
	}
	if s, ok := e.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", e)
}

func pidStrings(pids []actor.PID) []string {
	if len(pids) == 0 {
		return nil
	}
	out := make([]string, len(pids))
	for i, p := range pids {
		out[i] = p.String()
	}
	return out
}
