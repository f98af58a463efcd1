// Command pool runs a pool of workers under a dynamic (SimpleOneForOne)
// supervisor and scales it up and down with the load: scale_workers of the
// seed. Each worker has a small bounded mailbox with Backpressure, so a
// burst of jobs slows the sender down instead of piling up or being
// dropped. A crashed worker is restarted with the same arguments; a worker
// scaled away is terminated and forgotten.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pool:", err)
		os.Exit(1)
	}
}

// job asks a worker to square n.
type job struct{ n int }

// done asks a worker how many jobs it finished since it was last asked.
type done struct{}

// worker squares numbers; slot is the argument it was started with.
type worker struct {
	slot     int
	finished int
}

func (w *worker) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case job:
		w.finished++
		_ = ctx.Reply(fmt.Sprintf("worker %d: %d² = %d", w.slot, m.n, m.n*m.n)) // if it was a Request
	case done:
		_ = ctx.Reply(w.finished)
		w.finished = 0
	case string:
		if m == "crash" {
			panic("worker " + fmt.Sprint(w.slot) + " hit a bad job")
		}
	}
}

// mailboxSize bounds each worker's mailbox: a sender waits for room beyond
// it (Backpressure).
const mailboxSize = 16

// workerTemplate is the pool's template: each child gets its slot number.
var workerTemplate = supervisor.Child{
	ID:       "worker",
	Start:    actor.Props{Options: []actor.Option{actor.WithMailbox(mailboxSize, mailbox.Backpressure)}},
	Shutdown: supervisor.Timeout(time.Second),
	StartWith: func(args ...any) actor.Props {
		slot := args[0].(int)
		return actor.PropsOf(func() actor.Actor { return &worker{slot: slot} })
	},
}

// workersFor sizes the pool for a burst of jobs: one worker per 20 jobs,
// between 1 and 8.
func workersFor(jobs int) int { return min(max((jobs+19)/20, 1), 8) }

// scaleWorkers starts or terminates workers until the pool has n of them:
// new workers get the next slots, and the newest go first when scaling
// down.
func scaleWorkers(ctx context.Context, r supervisor.Requester, pool actor.PID, n int) error {
	kids, err := supervisor.WhichChildren(ctx, r, pool)
	if err != nil {
		return err
	}
	for slot := len(kids); slot < n; slot++ {
		if _, err := supervisor.StartChildWith(ctx, r, pool, slot); err != nil {
			return err
		}
	}
	for i := len(kids) - 1; i >= n; i-- {
		if err := supervisor.TerminateChildPID(ctx, r, pool, kids[i].PID); err != nil {
			return err
		}
	}
	return nil
}

func run(ctx context.Context, out io.Writer) error {
	sys := system.New()
	defer sys.Shutdown(ctx)
	restarts := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.ChildRestarted); return ok })
	defer restarts.Close()

	pool, err := sys.Spawn(supervisor.New(supervisor.Spec{
		Strategy:  supervisor.SimpleOneForOne,
		Intensity: 5,
		Period:    time.Second,
	}, workerTemplate))
	if err != nil {
		return err
	}

	var kids []supervisor.ChildInfo
	for _, burst := range []int{40, 160, 30} {
		if err := scaleWorkers(ctx, sys, pool, workersFor(burst)); err != nil {
			return err
		}
		if kids, err = supervisor.WhichChildren(ctx, sys, pool); err != nil {
			return err
		}
		// Deal the jobs out. When a worker's mailbox is full, SendContext
		// waits until it has room (or ctx ends): nothing is dropped.
		for i := range burst {
			if err := sys.SendContext(ctx, kids[i%len(kids)].PID, job{n: i}); err != nil {
				return err
			}
		}
		// A Request queues behind the jobs a worker already has: once
		// every worker has answered, the burst is done.
		finished := 0
		for _, k := range kids {
			n, err := sys.Request(ctx, k.PID, done{})
			if err != nil {
				return err
			}
			finished += n.(int)
		}
		fmt.Fprintf(out, "burst of %d jobs: scaled to %d workers, %d jobs done\n", burst, len(kids), finished)
	}

	for i, k := range kids {
		reply, err := sys.Request(ctx, k.PID, job{n: i + 3})
		if err != nil {
			return err
		}
		fmt.Fprintln(out, reply)
	}

	// A worker crashes: the pool restarts it in its slot.
	if err := sys.Send(kids[1].PID, "crash"); err != nil {
		return err
	}
	ev, err := restarts.Next(ctx)
	if err != nil {
		return err
	}
	reply, err := sys.Request(ctx, ev.(supervisor.ChildRestarted).PID, job{n: 9})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "after a crash,", reply)

	if err := scaleWorkers(ctx, sys, pool, 0); err != nil {
		return err
	}
	c, err := supervisor.CountChildren(ctx, sys, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "scaled to 0: %d workers running\n", c.Active)
	return sys.Shutdown(ctx)
}
