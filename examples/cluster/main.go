// Command cluster runs three nodes of one cluster in one program, on an
// embedded NATS server (or, with -node, as three programs against the
// server node a starts): a supervisor on node a keeps four workers on nodes
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
	"net"
	"os"
	"slices"
	"strconv"
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
	role := flag.String("node", "", "run one node of three processes instead of all three in this one: a (the supervisor; it starts the NATS server on -listen), b or c (workers)")
	listen := flag.String("listen", "127.0.0.1:4222", "with -node a: the address of the NATS server it starts")
	url := flag.String("nats", "nats://127.0.0.1:4222", "with -node b or c: the NATS server started by node a")
	flag.Parse()
	var err error
	switch *role {
	case "":
		err = run(os.Stdout, *heartbeat)
	case "a":
		err = runSupervisor(os.Stdout, *heartbeat, *listen, nil)
	case "b", "c":
		err = runWorkers(os.Stdout, *role, *url, *heartbeat)
	default:
		err = fmt.Errorf("-node %q: want a, b or c", *role)
	}
	if err != nil {
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
	// Types and kinds are given before the node joins: no node sees it up
	// without them.
	types := remote.NewTypes()
	if err := types.Register("job", job{}); err != nil {
		return nil, err
	}
	sys := system.New()
	n, err := remote.Start(sys, remote.Config{Cluster: "example", Name: name, URL: url, Heartbeat: t,
		Peers: []string{"a", "b", "c"}, Codec: types, Kinds: map[string]remote.Kind{"worker": worker}})
	if err != nil {
		return nil, errors.Join(err, sys.Shutdown(context.Background()))
	}
	return &node{sys, n}, nil
}

func (nd *node) stop(ctx context.Context) error {
	return errors.Join(nd.n.Close(), nd.sys.Shutdown(ctx))
}

// embedded starts a NATS server on host:port (port 0 or -1: any).
func embedded(hostPort string) (*server.Server, error) {
	host, port := hostPort, -1
	if h, p, err := net.SplitHostPort(hostPort); err == nil {
		host = h
		if n, err := strconv.Atoi(p); err == nil && n > 0 {
			port = n
		}
	}
	srv, err := server.NewServer(&server.Options{Host: host, Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, err
	}
	srv.Start()
	if !srv.ReadyForConnections(5 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("nats server did not start")
	}
	return srv, nil
}

// run is the whole example in one program: the server and nodes a, b, c.
func run(out io.Writer, t time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := embedded("127.0.0.1:-1")
	if err != nil {
		return err
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	nodes := map[string]*node{}
	for _, name := range []string{"a", "b", "c"} {
		nd, err := startNode(srv.ClientURL(), name, t)
		if err != nil {
			return err
		}
		nodes[name] = nd
	}
	defer func() { _ = nodes["a"].stop(ctx) }()
	defer func() { _ = nodes["c"].stop(ctx) }()
	return supervise(ctx, out, nodes["a"], t, func(name string) error { return nodes[name].stop(ctx) })
}

// runSupervisor is node a as a program of its own: it starts the server,
// waits for b and c, and shuts b down by asking its control process.
func runSupervisor(out io.Writer, t time.Duration, listen string, started chan<- string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := embedded(listen)
	if err != nil {
		return err
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	if started != nil {
		started <- srv.ClientURL()
	}
	fmt.Fprintf(out, "nats server on %s; start nodes b and c with -node b and -node c -nats %s\n", srv.ClientURL(), srv.ClientURL())
	a, err := startNode(srv.ClientURL(), "a", t)
	if err != nil {
		return err
	}
	defer func() { _ = a.stop(ctx) }()
	for _, peer := range []string{"b", "c"} {
		if err := waitUp(ctx, a, peer); err != nil {
			return err
		}
	}
	err = supervise(ctx, out, a, t, func(name string) error { return stopRemote(ctx, a, name) })
	return errors.Join(err, stopRemote(ctx, a, "c"))
}

// stopRemote asks node name's control process to shut its node down, and
// waits until a sees the node down.
func stopRemote(ctx context.Context, a *node, name string) error {
	w, ch := watcher(a.sys)
	ref, err := a.n.MonitorNode(w, name)
	if err != nil {
		return err
	}
	defer a.n.DemonitorNode(ref)
	if err := a.sys.SendNamed("control@"+name, "stop"); err != nil {
		return err
	}
	for {
		select {
		case m := <-ch:
			if _, ok := m.(remote.NodeDown); ok {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("node %s did not stop: %w", name, ctx.Err())
		}
	}
}

// waitUp waits until node peer is up, seen from nd.
func waitUp(ctx context.Context, nd *node, peer string) error {
	w, ch := watcher(nd.sys)
	ref, err := nd.n.MonitorNode(w, peer)
	if err != nil {
		return err
	}
	defer nd.n.DemonitorNode(ref)
	if slices.Contains(nd.n.UpNodes(), peer) {
		return nil
	}
	for {
		select {
		case m := <-ch:
			if _, ok := m.(remote.NodeUp); ok {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("node %s never came up: %w", peer, ctx.Err())
		}
	}
}

// watcher is a process that hands what it receives to a channel.
func watcher(sys *system.System) (actor.PID, <-chan any) {
	ch := make(chan any, 16)
	pid, _ := sys.Spawn(actor.Func(func(_ actor.Context, msg any) {
		select {
		case ch <- msg:
		default:
		}
	}))
	return pid, ch
}

// runWorkers is node b or c as a program of its own: it hosts workers
// until its control process is told to stop.
func runWorkers(out io.Writer, name, url string, t time.Duration) error {
	nd, err := startNode(url, name, t)
	if err != nil {
		return err
	}
	stop := make(chan struct{})
	if _, err := nd.sys.Spawn(actor.Func(func(_ actor.Context, msg any) {
		if msg == "stop" {
			select {
			case <-stop:
			default:
				close(stop)
			}
		}
	}), actor.WithName("control")); err != nil {
		return errors.Join(err, nd.stop(context.Background()))
	}
	fmt.Fprintf(out, "node %s up on %s, hosting workers until node a stops it\n", name, url)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Fprintf(out, "node %s shutting down\n", name)
	return nd.stop(ctx)
}

// supervise is node a's part: the supervisor, a round of jobs, node b shut
// down by stopNode, the restarts, another round, and the summary.
func supervise(ctx context.Context, out io.Writer, a *node, t time.Duration, stopNode func(string) error) error {
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
	if err := stopNode("b"); err != nil {
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
