// Command cluster runs three nodes of one cluster in one program, on an
// embedded NATS server: a supervisor on node a keeps four workers on nodes
// b and c. Midway node b is shut down; the supervisor sees its two workers
// exit with noconnection and restarts them on c, and the summary says what
// happened.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/remote"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

func main() {
	heartbeat := flag.Duration("heartbeat", time.Second, "failure-detection period T of the nodes")
	flag.Parse()
	if err := run(os.Stdout, *heartbeat); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

// job asks a worker to do one unit of work; it answers with its node.
type job struct{ N int }

// worker is the kind registered on b and c.
func worker(args any) (actor.Actor, []actor.Option, error) {
	return actor.Func(func(ctx actor.Context, msg any) {
		if _, ok := msg.(job); ok {
			node, _, _ := remote.NodeOf(ctx.Self())
			_ = ctx.Reply(node)
		}
	}), nil, nil
}

type node struct {
	sys *system.System
	n   *remote.Node
}

func startNode(url, name string, t time.Duration) (*node, error) {
	sys := system.New()
	n, err := remote.Start(sys, remote.Config{Cluster: "example", Name: name, URL: url, Heartbeat: t, Peers: []string{"a", "b", "c"}})
	if err != nil {
		return nil, err
	}
	if err := n.Types().Register("job", job{}); err != nil {
		return nil, err
	}
	if err := n.RegisterKind("worker", worker); err != nil {
		return nil, err
	}
	return &node{sys, n}, nil
}

func (nd *node) stop(ctx context.Context) error {
	return errors.Join(nd.n.Close(), nd.sys.Shutdown(ctx))
}

func run(out io.Writer, t time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		return err
	}
	srv.Start()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	if !srv.ReadyForConnections(5 * time.Second) {
		return errors.New("nats server did not start")
	}
	nodes := map[string]*node{}
	for _, name := range []string{"a", "b", "c"} {
		nd, err := startNode(srv.ClientURL(), name, t)
		if err != nil {
			return err
		}
		nodes[name] = nd
	}
	a := nodes["a"]
	defer func() { _ = a.stop(ctx) }()
	defer func() { _ = nodes["c"].stop(ctx) }()

	events := a.sys.Subscribe(func(ev any) bool {
		switch ev.(type) {
		case supervisor.ChildExited, supervisor.ChildRestarted:
			return true
		}
		return false
	})
	defer events.Close()

	var children []supervisor.Child
	for i := 1; i <= 4; i++ {
		place := remote.Prefer("b", "c")
		if i > 2 {
			place = remote.Prefer("c", "b")
		}
		id := fmt.Sprintf("worker-%d", i)
		children = append(children, a.n.Child(supervisor.Child{ID: id}, "worker", id, place))
	}
	sup, err := a.sys.Spawn(supervisor.New(supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: 10, Period: time.Minute}, children...))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "nodes a, b, c up (heartbeat T=%v); supervisor on a\n", t)
	if err := round(ctx, out, a.sys, sup, "before"); err != nil {
		return err
	}

	fmt.Fprintln(out, "shutting node b down")
	down := time.Now()
	if err := nodes["b"].stop(ctx); err != nil {
		return err
	}
	exited, restarted := 0, 0
	for restarted < 2 {
		ev, err := events.Next(ctx)
		if err != nil {
			return fmt.Errorf("waiting for restarts: %w", err)
		}
		switch e := ev.(type) {
		case supervisor.ChildExited:
			exited++
			fmt.Fprintf(out, "  %s exited: %v\n", e.ID, e.Reason)
		case supervisor.ChildRestarted:
			restarted++
			node, _, _ := remote.NodeOf(e.PID)
			fmt.Fprintf(out, "  %s restarted on %s\n", e.ID, node)
		}
	}
	took := time.Since(down)
	if err := round(ctx, out, a.sys, sup, "after"); err != nil {
		return err
	}
	fmt.Fprintf(out, "summary: node b left; %d workers exited with noconnection and %d were restarted on c, %v after b was shut down; every job was answered\n",
		exited, restarted, took.Round(time.Millisecond))
	return a.sys.Stop(ctx, sup)
}

// round sends each worker a job and prints where each one ran.
func round(ctx context.Context, out io.Writer, sys *system.System, sup actor.PID, label string) error {
	infos, err := supervisor.WhichChildren(ctx, sys, sup)
	if err != nil {
		return err
	}
	slices.SortFunc(infos, func(x, y supervisor.ChildInfo) int { return strings.Compare(x.ID, y.ID) })
	var where []string
	for i, c := range infos {
		node, err := sys.Request(ctx, c.PID, job{i})
		if err != nil {
			return fmt.Errorf("job for %s: %w", c.ID, err)
		}
		where = append(where, fmt.Sprintf("%s on %v", c.ID, node))
	}
	fmt.Fprintf(out, "%s: %s\n", label, strings.Join(where, ", "))
	return nil
}
