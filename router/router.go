package router

import (
	"fmt"
	"sync/atomic"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
)

// Spec describes a router: its policy and its routees, either a group of
// existing processes (Routees) or a Pool the router starts and supervises.
type Spec struct {
	Policy  Policy
	Routees []actor.PID
	Pool    *Pool
	// Hold is how many messages a pool router keeps while none of its
	// workers is up (all restarting), to route them, in the order they
	// came, as soon as one is back. Beyond Hold, and always for a group,
	// a message that finds no routee up is refused with ErrNoRoutee. A
	// router that exits refuses what it holds (each a dead letter, and a
	// held Request fails); a router that is killed runs no Terminate, so
	// the messages it holds are lost with it, Requests among them failing
	// with its exit reason.
	Hold int
}

// Pool is a set of Size workers started from Worker under a SimpleOneForOne
// supervisor that the router spawns, links to and owns: the supervisor
// restarts a worker that exits (per Worker.Restart) and the restarted
// worker rejoins the router in its slot; the router's exit stops the pool.
// Worker is the supervisor's template child: its StartWith is the router's
// and must be nil. Supervisor gives the pool's intensity and escalation;
// its Strategy is SimpleOneForOne whatever it says. A pool that gives up
// ends the router with the supervisor's reason.
type Pool struct {
	Size       int
	Worker     supervisor.Child
	Supervisor supervisor.Spec
}

// New returns a router process's actor, to spawn like any other. Its Init
// validates spec (Spawn returns ErrNilPolicy, ErrNoRoutees,
// ErrGroupAndPool, ErrBadSize, actor.ErrZeroPID, or an error wrapping
// actor.ErrForeignPID for a routee of another system), monitors the
// group's routees or starts the pool, and returns once every routee is
// up. Call New again for each router.
func New(spec Spec) actor.Actor { return &router{spec: spec} }

type router struct {
	spec   Spec
	policy Policy
	slots  []slot
	byRef  map[actor.Ref]int // the monitor of each slot's process
	up     []Routee          // the routees up, in slot order
	pool   *pool             // nil for a group
	held   []actor.Held      // kept while no routee is up
	// releasing is set while join routes the held messages: the routees
	// up are shown to the redirect only after them.
	releasing bool
	// backlog is the Context's Backlog, made once: a method value made
	// per message would be an allocation per message.
	backlog func(actor.PID) int
	// shared is a copy of up for the senders' goroutines, which route
	// while the router holds no user message (see redirect); replaced, never changed.
	shared atomic.Pointer[[]Routee]
}

// slot is one routee place. gen tells a pool worker of this slot from one
// of an earlier slot with the same number, removed by a Resize.
type slot struct {
	pid actor.PID // zero while down
	ref actor.Ref
	gen int
}

func (r *router) Init(ctx actor.Context) error {
	s := r.spec
	switch {
	case s.Policy == nil:
		return ErrNilPolicy
	case len(s.Routees) > 0 && s.Pool != nil:
		return ErrGroupAndPool
	case len(s.Routees) == 0 && s.Pool == nil:
		return ErrNoRoutees
	case s.Pool != nil && s.Pool.Size < 1:
		return ErrBadSize
	}
	for _, pid := range s.Routees {
		if pid.IsZero() {
			return actor.ErrZeroPID
		}
		if pid.System() != ctx.Self().System() {
			return fmt.Errorf("router: routee %v: %w", pid, actor.ErrForeignPID)
		}
	}
	r.policy, r.byRef, r.backlog = s.Policy, make(map[actor.Ref]int), ctx.Backlog
	if _, ok := s.Policy.(Concurrent); ok {
		if _, ok := s.Policy.(panicFree); ok {
			ctx.Redirect(r.redirect)
		} else {
			ctx.Redirect(r.guardedRedirect)
		}
	}
	if s.Pool != nil {
		return r.startPool(ctx, *s.Pool)
	}
	r.slots = make([]slot, len(s.Routees))
	for i, pid := range s.Routees {
		r.join(ctx, i, pid)
	}
	return nil
}

func (r *router) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case actor.Down:
		// Only monitors send a router Downs; one for a slot taken down
		// already is stale.
		if i, ok := r.byRef[m.Ref]; ok {
			r.leave(ctx, i)
		}
		return
	case actor.Exit:
		if r.pool != nil {
			r.exited(ctx, m)
		}
		return
	case control:
		m.serve(ctx, r)
		return
	}
	r.route(ctx, ctx, msg)
}

// Terminate refuses the messages held, so that none is lost.
func (r *router) Terminate(_ actor.Context, _ error) {
	for _, h := range r.held {
		_ = h.Refuse(ErrNoRoutee)
	}
	r.held = nil
}

// forwarder is the current message (the Context) or a held one.
type forwarder interface {
	Forward(to actor.PID) error
	Refuse(reason error) error
}

// route passes msg on, through f, to the routees the policy picks,
// skipping (and taking down) any found dead before its Down has arrived.
// With no routee up, a pool router holds it (see Spec.Hold).
func (r *router) route(ctx actor.Context, f forwarder, msg any) {
	for len(r.up) > 0 {
		to, err := r.policy.Route(msg, r.up, r.backlog)
		if err == nil && len(to) == 0 {
			err = ErrNoRoutee // the policy chose nobody
		}
		if err != nil {
			_ = f.Refuse(err)
			return
		}
		sent, dead := 0, -1
		for _, rt := range to {
			if !ctx.Alive(rt.PID) {
				dead = rt.Slot
				continue
			}
			_ = f.Forward(rt.PID) // on error the message is a dead letter
			sent++
		}
		if dead >= 0 {
			r.leave(ctx, dead)
		}
		if sent > 0 {
			return
		}
	}
	if r.pool != nil && len(r.held) < r.spec.Hold {
		h, ok := f.(actor.Held)
		if !ok {
			var err error
			if h, err = ctx.Hold(); err != nil {
				return
			}
		}
		r.held = append(r.held, h)
		return
	}
	_ = f.Refuse(ErrNoRoutee)
}

// release routes the messages held, in order, once a routee is up.
func (r *router) release(ctx actor.Context) {
	held := r.held
	r.held = nil
	for i, h := range held {
		if len(r.up) == 0 {
			r.held = append(r.held, held[i:]...) // down again: keep the rest in order
			return
		}
		r.route(ctx, h, h.Message())
	}
}

// join puts pid in slot i and monitors it; a process already gone gives
// its Down at once.
func (r *router) join(ctx actor.Context, i int, pid actor.PID) {
	s := &r.slots[i]
	if s.pid == pid {
		return
	}
	r.leave(ctx, i) // an earlier process of the slot, its Down not yet seen
	ref, err := ctx.Monitor(pid)
	if err != nil {
		return
	}
	s.pid, s.ref = pid, ref
	r.byRef[ref] = i
	r.rebuildLocal()
	if len(r.held) > 0 {
		// Before the redirect sees the routee: a message a sender sends
		// from now on must not overtake those held.
		r.releasing = true
		r.release(ctx)
		r.releasing = false
	}
	r.publish()
}

// leave takes slot i down until a process joins it again.
func (r *router) leave(ctx actor.Context, i int) {
	s := &r.slots[i]
	if s.ref.IsZero() {
		return
	}
	ctx.Demonitor(s.ref)
	delete(r.byRef, s.ref)
	s.pid, s.ref = actor.PID{}, actor.Ref{}
	r.rebuild()
}

// rebuild recomputes the routees up and shows them to the redirect.
func (r *router) rebuild() {
	r.rebuildLocal()
	r.publish()
}

// rebuildLocal recomputes the routees up, for the router's own routing.
func (r *router) rebuildLocal() {
	r.up = r.up[:0]
	for i, s := range r.slots {
		if !s.pid.IsZero() {
			r.up = append(r.up, Routee{Slot: i, PID: s.pid})
		}
	}
}

// publish shows the routees up to the redirect, which routes in the
// senders' goroutines.
func (r *router) publish() {
	if r.releasing {
		return // join publishes once the held messages are out
	}
	up := append([]Routee(nil), r.up...)
	r.shared.Store(&up)
}

// redirect routes msg in its sender's goroutine, while the router holds no user message:
// the routee the policy picks gets it directly. The router's own messages,
// messages for more than one routee, failures and a router with no routee
// up are left to the router.
func (r *router) redirect(msg any) (actor.PID, bool) {
	switch msg.(type) {
	case resizeReq, routeesReq: // the control types: a switch on the interface would cost a type-assertion lookup per message
		return actor.PID{}, false
	}
	up := r.shared.Load()
	if up == nil || len(*up) == 0 {
		return actor.PID{}, false
	}
	to, err := r.policy.Route(msg, *up, r.backlog)
	if err != nil || len(to) != 1 {
		return actor.PID{}, false
	}
	return to[0].PID, true
}

// guardedRedirect is redirect for a policy that runs its users' code (a
// message's Key, a policy of theirs), which may panic: the runtime does not
// recover a panic in a redirect, so a panic here leaves the message to the
// router, whose own turn then meets it as it would without redirects.
func (r *router) guardedRedirect(msg any) (to actor.PID, ok bool) {
	defer func() {
		if recover() != nil {
			to, ok = actor.PID{}, false
		}
	}()
	return r.redirect(msg)
}
