package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/remote"
	"github.com/airssys/rt/system"
)

// natsServer starts an embedded NATS server on 127.0.0.1 for one run.
func natsServer() (*server.Server, error) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, err
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, errors.New("nats server did not start")
	}
	return s, nil
}

// remotePair is two nodes, a and b, on one server.
type remotePair struct {
	srv        *server.Server
	sysA, sysB *system.System
	a, b       *remote.Node
}

func newRemotePair() (*remotePair, error) {
	srv, err := natsServer()
	if err != nil {
		return nil, err
	}
	p := &remotePair{srv: srv, sysA: system.New(), sysB: system.New()}
	if p.a, err = remote.Start(p.sysA, remote.Config{Cluster: "bench", Name: "a", URL: srv.ClientURL()}); err != nil {
		return nil, p.close(err)
	}
	if p.b, err = remote.Start(p.sysB, remote.Config{Cluster: "bench", Name: "b", URL: srv.ClientURL(), Peers: []string{"a"}}); err != nil {
		return nil, p.close(err)
	}
	return p, nil
}

func (p *remotePair) close(err error) error {
	for _, n := range []*remote.Node{p.a, p.b} {
		if n != nil {
			err = errors.Join(err, n.Close())
		}
	}
	err = errors.Join(err, shutdown(p.sysA, nil), shutdown(p.sysB, nil))
	p.srv.Shutdown()
	p.srv.WaitForShutdown()
	return err
}

// runRemoteTell measures n messages from a's System to one actor on b,
// beside n NATS publishes from one connection to a subscription on
// another, in the same run.
func runRemoteTell(c config) ([]Result, error) {
	base, err := natsTell(c, c.remoteN)
	if err != nil {
		return nil, fmt.Errorf("nats publish->subscribe: %w", err)
	}
	rt, err := remoteTell(c, c.remoteN)
	if err != nil {
		return nil, fmt.Errorf("remote tell: %w", err)
	}
	line := func(impl string, d time.Duration) Result {
		rate := float64(c.remoteN) / d.Seconds()
		return Result{Scenario: "remote-tell", Impl: impl, Mailbox: c.mailbox, N: c.remoteN, Senders: 1,
			MsgsPerSec: ptr(rate), NsPerOp: ptr(1e9 / rate), Reps: 1}
	}
	return []Result{line(implNATS, base), line(implRuntime, rt)}, nil
}

// runRemoteRequest measures n Request round trips from a's System to an
// actor on b that replies, beside n NATS requests answered by a
// subscription on another connection.
func runRemoteRequest(c config) ([]Result, error) {
	base, err := natsRequest(c, c.remoteReq)
	if err != nil {
		return nil, fmt.Errorf("nats request/reply: %w", err)
	}
	rt, err := remoteRequest(c, c.remoteReq)
	if err != nil {
		return nil, fmt.Errorf("remote request: %w", err)
	}
	line := func(impl string, d time.Duration) Result {
		return Result{Scenario: "remote-request", Impl: impl, Mailbox: c.mailbox, N: c.remoteReq, Senders: 1,
			NsPerOp: ptr(float64(d.Nanoseconds()) / float64(c.remoteReq)), Reps: 1}
	}
	return []Result{line(implNATS, base), line(implRuntime, rt)}, nil
}

// natsPayload is about the size of a remote-tell frame of an int.
var natsPayload = make([]byte, 16)

func natsConns(url string) (*nats.Conn, *nats.Conn, error) {
	pub, err := nats.Connect(url)
	if err != nil {
		return nil, nil, err
	}
	sub, err := nats.Connect(url)
	if err != nil {
		pub.Close()
		return nil, nil, err
	}
	return pub, sub, nil
}

func natsTell(c config, n int) (time.Duration, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	srv, err := natsServer()
	if err != nil {
		return 0, err
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	pub, sub, err := natsConns(srv.ClientURL())
	if err != nil {
		return 0, err
	}
	defer pub.Close()
	defer sub.Close()
	done := make(chan struct{})
	var got atomic.Int64
	s, err := sub.Subscribe("bench.tell", func(*nats.Msg) {
		if got.Add(1) == int64(n) {
			close(done)
		}
	})
	if err != nil {
		return 0, err
	}
	if err := s.SetPendingLimits(-1, -1); err != nil {
		return 0, err
	}
	if err := sub.Flush(); err != nil {
		return 0, err
	}
	start := time.Now()
	for range n {
		if err := pub.Publish("bench.tell", natsPayload); err != nil {
			return 0, err
		}
	}
	if err := pub.Flush(); err != nil {
		return 0, err
	}
	_, err = recv(w, done, nil)
	return time.Since(start), err
}

func natsRequest(c config, n int) (time.Duration, error) {
	srv, err := natsServer()
	if err != nil {
		return 0, err
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	req, rep, err := natsConns(srv.ClientURL())
	if err != nil {
		return 0, err
	}
	defer req.Close()
	defer rep.Close()
	if _, err := rep.Subscribe("bench.req", func(m *nats.Msg) { _ = m.Respond(natsPayload) }); err != nil {
		return 0, err
	}
	if err := rep.Flush(); err != nil {
		return 0, err
	}
	start := time.Now()
	for range n {
		if _, err := req.Request("bench.req", natsPayload, c.timeout); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

func remoteTell(c config, n int) (time.Duration, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	p, err := newRemotePair()
	if err != nil {
		return 0, err
	}
	done := make(chan struct{})
	fail := make(chan error, 1)
	got := 0
	dst, err := p.sysB.Spawn(actor.Func(func(_ actor.Context, msg any) {
		if _, ok := msg.(int); !ok {
			report(fail, fmt.Errorf("remote-tell got %T", msg))
			return
		}
		if got++; got == n {
			close(done)
		}
	}), actor.WithMailbox(c.mailbox, actor.DefaultPolicy))
	if err != nil {
		return 0, p.close(err)
	}
	start := time.Now()
	for i := range n {
		if err := p.sysA.Send(dst, i); err != nil {
			return 0, p.close(err)
		}
	}
	_, err = recv(w, done, fail)
	return time.Since(start), p.close(err)
}

func remoteRequest(c config, n int) (time.Duration, error) {
	p, err := newRemotePair()
	if err != nil {
		return 0, err
	}
	dst, err := p.sysB.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg) }),
		actor.WithMailbox(c.mailbox, actor.DefaultPolicy))
	if err != nil {
		return 0, p.close(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	start := time.Now()
	for i := range n {
		if _, err := p.sysA.Request(ctx, dst, i); err != nil {
			return 0, p.close(err)
		}
	}
	return time.Since(start), p.close(nil)
}
