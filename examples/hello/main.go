// Command hello is the smallest tour of the runtime: spawn an actor, send
// it messages, ask it a question and wait for the answer, stop it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}

// Messages are plain Go values. Give each its own type so Receive can
// switch on it.
type (
	// visit tells the greeter someone came by; nobody waits for an answer.
	visit struct{ name string }
	// greet asks for a greeting; it is sent with Request, so it is answered
	// with Reply.
	greet struct{ name string }
)

// greeter counts its visitors. Receive is never called concurrently for one
// process, so its fields need no lock.
type greeter struct {
	out     io.Writer
	visitor int
}

func (g *greeter) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case visit:
		g.visitor++
	case greet:
		g.visitor++
		_ = ctx.Reply(fmt.Sprintf("hello, %s: you are visitor %d", m.name, g.visitor))
	}
}

// Terminate runs when the process exits, with its exit reason.
func (g *greeter) Terminate(ctx actor.Context, reason error) {
	fmt.Fprintf(g.out, "greeter stopping (%v) after %d visitors\n", reason, g.visitor)
}

func run(w io.Writer) error {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)

	// Spawn starts a process and returns its PID, a small comparable value.
	pid, err := sys.Spawn(&greeter{out: w}, actor.WithName("greeter"))
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "spawned greeter as", pid)

	// Send is fire-and-forget. Messages from one sender to one process
	// arrive in the order they were sent.
	for _, name := range []string{"ada", "grace"} {
		if err := sys.Send(pid, visit{name}); err != nil {
			return err
		}
	}

	// Request sends and waits for the Reply; the context bounds the wait.
	reqCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	reply, err := sys.Request(reqCtx, pid, greet{"gopher"})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, reply)

	// Stop sends the exit signal Shutdown and waits until the process has
	// exited (its Terminate has run).
	if err := sys.Stop(ctx, pid); err != nil {
		return err
	}
	fmt.Fprintln(w, "alive after Stop:", sys.Alive(pid))

	// Sending to a process that is gone never panics: the message becomes a
	// dead letter and Send says why.
	err = sys.Send(pid, visit{"late"})
	fmt.Fprintln(w, "send after Stop is ErrNoProcess:", errors.Is(err, actor.ErrNoProcess))
	fmt.Fprintln(w, "dead letters:", sys.DeadLetters())

	return sys.Shutdown(ctx)
}
