package remote

import (
	"context"
	"fmt"
	"slices"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
)

// Kind makes the actor of a process spawned on this node at another
// node's request, from the arguments sent (decoded by the codec). It runs
// on a goroutine of its own, once per spawn.
type Kind func(args any) (actor.Actor, []actor.Option, error)

// RegisterKind registers kind under name, for Spawn and SpawnLink from
// other nodes. A name registered again is replaced.
func (n *Node) RegisterKind(name string, kind Kind) error {
	if name == "" || kind == nil {
		return fmt.Errorf("%w: RegisterKind needs a name and a Kind", ErrBadConfig)
	}
	n.kinds.Store(name, kind)
	return nil
}

// Spawn starts a process of kind on node, with args, and returns its PID
// once its Init has returned (with Init's error otherwise). node may be
// this node. It waits until ctx ends. Errors: ErrUnknownKind,
// ErrNoConnection (or an *actor.ExitError with NoConnection if the node
// went down meanwhile), the codec's errors, and the spawn's own.
func (n *Node) Spawn(ctx context.Context, node, kind string, args any) (actor.PID, error) {
	return n.spawn(ctx, nil, node, kind, args, actor.PID{})
}

// SpawnLink is Spawn for a process, linked to it (ctx.Self()) before the
// new process runs any code but the link: if the caller cannot be reached
// it exits with NoConnection at once. It waits until the caller's
// Context() ends.
func (n *Node) SpawnLink(ctx actor.Context, node, kind string, args any) (actor.PID, error) {
	return n.spawn(ctx.Context(), ctx, node, kind, args, ctx.Self())
}

func (n *Node) spawn(ctx context.Context, actx actor.Context, node, kind string, args any, linkTo actor.PID) (actor.PID, error) {
	if ctx == nil {
		return actor.PID{}, actor.ErrNilContext
	}
	if node == n.cfg.Name {
		a, opts, err := n.build(kind, args)
		if err != nil {
			return actor.PID{}, err
		}
		if actx != nil {
			return actx.SpawnLink(a, opts...)
		}
		return n.sys.Spawn(a, opts...)
	}
	if !validToken(node) {
		return actor.PID{}, fmt.Errorf("%w: node %q", ErrNoConnection, node)
	}
	p := n.peerFor(node)
	if err := n.ensure(p); err != nil {
		return actor.PID{}, err
	}
	v, err := n.call(ctx, nil, p, nil, actor.PID{}, kSpawn, func(b []byte, req uint64) ([]byte, error) {
		b = appendUvarint(b, req)
		b = appendString(b, kind)
		b = appendUvarint(b, n.localID(linkTo))
		return n.codec.Append(b, args)
	}, func(error) {})
	if err != nil {
		return actor.PID{}, err
	}
	return v.(actor.PID), nil
}

func (n *Node) build(kind string, args any) (a actor.Actor, opts []actor.Option, err error) {
	k, ok := n.kinds.Load(kind)
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q on node %s", ErrUnknownKind, kind, n.cfg.Name)
	}
	defer func() {
		if v := recover(); v != nil {
			err = actor.NewPanicError(actor.PID{}, v)
		}
	}()
	a, opts, err = k(args)
	if err == nil && a == nil {
		err = actor.ErrNilActor
	}
	return a, opts, err
}

// onSpawn serves a spawn request on a goroutine of its own: Init may take
// long, and may itself talk to other nodes through this subscription.
func (n *Node) onSpawn(p *peer, r *reader) {
	req := r.uvarint()
	kind := r.string()
	linkTo := p.pidOf(r.uvarint())
	args, err := n.codec.Decode(r.rest())
	if r.bad {
		return
	}
	p.mu.RLock()
	sess := p.sess
	p.mu.RUnlock()
	n.goTracked(func() {
		pid, err := n.spawnFor(kind, args, err, linkTo)
		sent := n.sendFrame(p, nil, kSpawned, func(b []byte) ([]byte, error) {
			if p.sess != sess {
				return b, ErrNoConnection
			}
			b = appendUvarint(b, req)
			if err != nil {
				return appendReason(append(b, replyFailed), err), nil
			}
			return appendUvarint(append(b, replyValue), pid.ID()), nil
		})
		if err == nil && !pid.IsZero() && sent != nil {
			// The requester is gone: nobody owns the process.
			_ = n.sys.Exit(pid, actor.Kill)
		}
	})
}

func (n *Node) spawnFor(kind string, args any, decodeErr error, linkTo actor.PID) (actor.PID, error) {
	if decodeErr != nil {
		return actor.PID{}, decodeErr
	}
	a, opts, err := n.build(kind, args)
	if err != nil {
		return actor.PID{}, err
	}
	if !linkTo.IsZero() {
		a = &linked{Actor: a, to: linkTo}
	}
	return n.sys.Spawn(a, opts...)
}

// linked links a remotely spawned process to its requester first thing in
// Init, so that it never runs unlinked.
type linked struct {
	actor.Actor
	to actor.PID
}

func (l *linked) Init(ctx actor.Context) error {
	if err := ctx.Link(l.to); err != nil {
		return err
	}
	if i, ok := l.Actor.(actor.Initializer); ok {
		return i.Init(ctx)
	}
	return nil
}

func (l *linked) Terminate(ctx actor.Context, reason error) {
	if t, ok := l.Actor.(actor.Terminator); ok {
		t.Terminate(ctx, reason)
	}
}

// goTracked runs f on a goroutine Close waits for; after Close it does
// not run.
func (n *Node) goTracked(f func()) {
	n.gmu.Lock()
	defer n.gmu.Unlock()
	if n.gclosed {
		return
	}
	n.gwg.Add(1)
	go func() {
		defer n.gwg.Done()
		f()
	}()
}

// Placement chooses the node a remote child starts on: up lists the nodes
// up now (this one included), sorted; last is the node of the child's
// previous run ("" at the first start). It returns a node name, or an
// error to fail the start (the supervisor then counts a failed start).
type Placement func(up []string, last string) (string, error)

// On places a child on node, and fails its start while node is down.
func On(node string) Placement {
	return func(up []string, _ string) (string, error) {
		if slices.Contains(up, node) {
			return node, nil
		}
		return "", fmt.Errorf("%w: %s", ErrNoConnection, node)
	}
}

// Prefer places a child on the first of nodes that is up.
func Prefer(nodes ...string) Placement {
	return func(up []string, _ string) (string, error) {
		for _, node := range nodes {
			if slices.Contains(up, node) {
				return node, nil
			}
		}
		return "", fmt.Errorf("%w: none of %v", ErrNoConnection, nodes)
	}
}

// Child returns c set to start its process as kind with args on the node
// place chooses, linked to the supervisor (c.StartLink): when that node
// goes down the supervisor sees the child exit with actor.NoConnection and
// restarts it by c.Restart, on the node place chooses then. c.Start is
// unused. The kind must be registered on every node place may choose.
func (n *Node) Child(c supervisor.Child, kind string, args any, place Placement) supervisor.Child {
	var last string
	c.StartLink = func(ctx actor.Context) (actor.PID, error) {
		node, err := place(n.UpNodes(), last)
		if err != nil {
			return actor.PID{}, err
		}
		pid, err := n.SpawnLink(ctx, node, kind, args)
		if err == nil {
			last = node
		}
		return pid, err
	}
	return c
}

// UpNodes returns the names of the nodes up now, this one included,
// sorted. It never blocks on the network.
func (n *Node) UpNodes() []string {
	up := []string{n.cfg.Name}
	n.peers.Range(func(name string, p *peer) bool {
		p.mu.RLock()
		if p.state == stUp {
			up = append(up, name)
		}
		p.mu.RUnlock()
		return true
	})
	slices.Sort(up)
	return up
}
