package router

import (
	"context"
	"errors"
	"fmt"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
)

// pool is a router's supervised workers.
type pool struct {
	sup actor.PID
	gen int // the generation of the next slot made
}

// joined is the note a pool worker sends its router from Init, on its
// first start and after each restart: its slot and the slot's generation.
// It travels as an exit signal, which the pool router traps: a trapped
// exit signal becomes a message that a full mailbox never refuses and a
// sender never waits for, so a worker always rejoins, even while the
// router is busy starting it in a Resize.
type joined struct{ slot, gen int }

func (j joined) Error() string { return fmt.Sprintf("router: pool worker of slot %d joined", j.slot) }

// member wraps a pool worker's actor to announce it to the router once its
// own Init has succeeded; everything else is the worker's.
type member struct {
	actor.Actor
	router    actor.PID
	slot, gen int
}

func (m *member) Init(ctx actor.Context) error {
	if i, ok := m.Actor.(actor.Initializer); ok {
		if err := i.Init(ctx); err != nil {
			return err
		}
	}
	// A router gone has taken the pool down with it.
	_ = ctx.Exit(m.router, joined{m.slot, m.gen})
	return nil
}

func (m *member) Terminate(ctx actor.Context, reason error) {
	if t, ok := m.Actor.(actor.Terminator); ok {
		t.Terminate(ctx, reason)
	}
}

func (r *router) startPool(ctx actor.Context, p Pool) error {
	if p.Worker.StartWith != nil {
		return fmt.Errorf("%w: a pool's Worker.StartWith is the router's", actor.ErrInvalidOption)
	}
	self, worker := ctx.Self(), p.Worker.Start
	tmpl := p.Worker
	tmpl.StartWith = func(args ...any) actor.Props {
		slot, gen := args[0].(int), args[1].(int)
		return actor.Props{New: func() actor.Actor {
			a := worker.New()
			if actor.IsNil(a) {
				return nil
			}
			return &member{Actor: a, router: self, slot: slot, gen: gen}
		}}
	}
	spec := p.Supervisor
	spec.Strategy = supervisor.SimpleOneForOne
	ctx.TrapExit(true) // for the workers' notes (see joined) and the pool's exit
	sup, err := ctx.SpawnLink(supervisor.New(spec, tmpl))
	if err != nil {
		return err
	}
	r.pool = &pool{sup: sup}
	return r.resize(ctx, p.Size)
}

// exited handles an exit signal a pool router trapped: a worker's note,
// or an exit it takes as a process that does not trap exits would (the
// pool supervisor's exit ends the router with its reason; so does any
// other abnormal one; Normal is ignored).
func (r *router) exited(ctx actor.Context, m actor.Exit) {
	if j, ok := m.Reason.(joined); ok {
		r.joined(ctx, m.From, j)
		return
	}
	if m.From == r.pool.sup || !actor.IsNormal(m.Reason) {
		ctx.Stop(m.Reason)
	}
}

// joined puts pid, a (re)started pool worker, in its slot. One of a slot
// that a Resize removed is stopped.
func (r *router) joined(ctx actor.Context, pid actor.PID, m joined) {
	if r.pool == nil || pid.IsZero() {
		return
	}
	if m.slot >= len(r.slots) || r.slots[m.slot].gen != m.gen {
		_ = supervisor.TerminateChildPID(ctx.Context(), ctx, r.pool.sup, pid)
		return
	}
	r.join(ctx, m.slot, pid)
}

// resize starts or stops pool workers until there are n slots; the
// highest slots go first.
func (r *router) resize(ctx actor.Context, n int) error {
	if n < 1 {
		return ErrBadSize
	}
	c := ctx.Context()
	for len(r.slots) > n {
		i := len(r.slots) - 1
		if pid := r.slots[i].pid; !pid.IsZero() {
			r.leave(ctx, i)
			if err := supervisor.TerminateChildPID(c, ctx, r.pool.sup, pid); err != nil {
				return err
			}
		}
		r.slots = r.slots[:i]
		r.rebuild()
	}
	for len(r.slots) < n {
		i := len(r.slots)
		r.pool.gen++
		r.slots = append(r.slots, slot{gen: r.pool.gen})
		pid, err := supervisor.StartChildWith(c, ctx, r.pool.sup, i, r.pool.gen)
		if err != nil {
			r.slots = r.slots[:i]
			return err
		}
		r.join(ctx, i, pid)
	}
	return nil
}

// control is a request of the router's API, served between messages.
type control interface {
	serve(ctx actor.Context, r *router)
}

type (
	resizeReq  struct{ n int }
	routeesReq struct{}
)

func (q resizeReq) serve(ctx actor.Context, r *router) {
	if r.pool == nil {
		_ = ctx.Reply(ErrNotPool)
		return
	}
	if err := r.resize(ctx, q.n); err != nil {
		_ = ctx.Reply(err)
		return
	}
	_ = ctx.Reply(len(r.slots))
}

func (routeesReq) serve(ctx actor.Context, r *router) {
	_ = ctx.Reply(append([]Routee(nil), r.up...))
}

// Resize makes a pool router's pool n workers, starting new ones in new
// slots or stopping those of the highest slots; it returns once they have
// started or stopped. Errors: ErrNotPool, ErrBadSize, ErrNotRouter, a
// worker's *supervisor.ChildStartFailed, and those of Request.
func Resize(ctx context.Context, r actor.Requester, router actor.PID, n int) error {
	_, err := ask[int](ctx, r, router, resizeReq{n})
	return err
}

// Routees returns the routees that are up, in slot order.
func Routees(ctx context.Context, r actor.Requester, router actor.PID) ([]Routee, error) {
	return ask[[]Routee](ctx, r, router, routeesReq{})
}

func ask[T any](ctx context.Context, r actor.Requester, router actor.PID, q control) (T, error) {
	v, err := actor.Ask[T](ctx, r, router, q)
	if errors.Is(err, actor.ErrReplyType) {
		err = ErrNotRouter
	}
	return v, err
}
