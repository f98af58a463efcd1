// Command links shows Erlang's failure signals: a crash travels along a
// link, a process that traps exits gets it as an Exit message instead, Kill
// cannot be trapped, and a monitor gets a Down for every exit it watches.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "links:", err)
		os.Exit(1)
	}
}

// Messages of this example.
type (
	// watch asks the observer to monitor pid, known as name.
	watch struct {
		pid  actor.PID
		name string
	}
	// linkTo asks a process to link itself to pid.
	linkTo struct{ pid actor.PID }
	// startChild asks the guardian to spawn-link a child that exits with
	// reason as soon as it gets a message.
	startChild struct {
		name   string
		reason error
	}
)

// observer monitors the processes it is told to watch and reports each Down
// on notes. Actors report on a channel; run prints, in one place.
func observer(notes chan<- string) actor.Actor {
	names := make(map[actor.PID]string)
	return actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case watch:
			names[m.pid] = m.name
			ref, err := ctx.Monitor(m.pid)
			if err != nil {
				_ = ctx.Reply(err)
				return
			}
			_ = ctx.Reply(ref)
		case actor.Down:
			notes <- fmt.Sprintf("Down from %s: %v", names[m.PID], m.Reason)
		}
	})
}

// worker crashes on "crash"; on linkTo it links itself to another process.
func worker() actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case linkTo:
			_ = ctx.Reply(ctx.Link(m.pid))
		case string:
			if m == "crash" {
				panic("bad input")
			}
		}
	})
}

// guardian traps exits: the exit of a linked child is an Exit message, not
// its own death.
func guardian(notes chan<- string) actor.Actor {
	names := make(map[actor.PID]string)
	return actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case startChild:
			ctx.TrapExit(true)
			child, err := ctx.SpawnLink(actor.Func(func(ctx actor.Context, _ any) {
				ctx.Stop(m.reason)
			}))
			if err != nil {
				_ = ctx.Reply(err)
				return
			}
			names[child] = m.name
			_ = ctx.Send(child, "work")
			_ = ctx.Reply(nil)
		case actor.Exit:
			notes <- fmt.Sprintf("Exit from %s: %v (the guardian lives on)", names[m.From], m.Reason)
		}
	})
}

func run(w io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sys := system.New()
	defer sys.Shutdown(ctx)

	notes := make(chan string, 16)
	// next waits for n notes and prints them sorted: notes sent by different
	// processes have no order between them.
	next := func(n int) error {
		got := make([]string, 0, n)
		for range n {
			select {
			case s := <-notes:
				got = append(got, s)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		slices.Sort(got)
		for _, s := range got {
			fmt.Fprintln(w, "  ", s)
		}
		return nil
	}
	obs, err := sys.Spawn(observer(notes))
	if err != nil {
		return err
	}
	watchAs := func(pid actor.PID, name string) error {
		_, err := sys.Request(ctx, obs, watch{pid, name})
		return err
	}

	fmt.Fprintln(w, "1. A crash travels along a link to a process that does not trap exits.")
	a, err := sys.Spawn(worker())
	if err != nil {
		return err
	}
	b, err := sys.Spawn(worker())
	if err != nil {
		return err
	}
	if _, err := sys.Request(ctx, b, linkTo{a}); err != nil {
		return err
	}
	if err := errors.Join(watchAs(a, "a"), watchAs(b, "b")); err != nil {
		return err
	}
	if err := sys.Send(a, "crash"); err != nil {
		return err
	}
	if err := next(2); err != nil {
		return err
	}

	fmt.Fprintln(w, "2. A process that traps exits gets them as Exit messages, Normal included.")
	g, err := sys.Spawn(guardian(notes))
	if err != nil {
		return err
	}
	for _, c := range []startChild{{"a child that finished", actor.Normal}, {"a child that failed", errors.New("disk full")}} {
		if _, err := sys.Request(ctx, g, c); err != nil {
			return err
		}
		if err := next(1); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "3. Kill cannot be trapped.")
	if err := watchAs(g, "the guardian"); err != nil {
		return err
	}
	if err := sys.Exit(g, actor.Kill); err != nil {
		return err
	}
	if err := next(1); err != nil {
		return err
	}

	fmt.Fprintln(w, "4. Monitoring a process that is already gone gives Down with NoProc at once.")
	if err := watchAs(a, "a"); err != nil {
		return err
	}
	if err := next(1); err != nil {
		return err
	}
	return sys.Shutdown(ctx)
}
