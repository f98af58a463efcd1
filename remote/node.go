package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/puzpuzpuz/xsync/v3"
	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// Node is a System joined to a cluster over NATS. Create it with Start and
// end it with Close. Its methods are safe for concurrent use.
type Node struct {
	sys     *system.System
	cfg     Config
	id      *nodeID
	inc     uint64
	nc      *nats.Conn
	ownConn bool
	sub     *nats.Subscription
	codec   Codec
	log     zerolog.Logger
	max     int

	peers  *xsync.MapOf[string, *peer]
	kinds  *xsync.MapOf[string, Kind]
	wire   atomic.Uint64 // request ids and wire refs
	closed atomic.Bool

	monMu    sync.Mutex
	nodeMons map[actor.Ref]nodeMon

	life    context.Context // cancelled by Close: ends a wait for room
	cancel  context.CancelFunc
	epoch   time.Time // Start, with its monotonic reading: the clock of mono
	beatSub *nats.Subscription
	last    *peer // the peer of the previous frame; the data lane's goroutine only

	hold    atomic.Pointer[chan struct{}] // test hook: the data lane waits for it to close
	mute    atomic.Bool                   // test hook: nothing goes out on the heartbeat lane
	stop    chan struct{}
	wg      sync.WaitGroup
	gmu     sync.Mutex // goTracked
	gclosed bool
	gwg     sync.WaitGroup
	closeMu sync.Mutex
	done    chan struct{} // closed when the own connection has closed
	bufs    sync.Pool
}

// Start joins sys to cfg's cluster: it connects (or takes cfg.Conn),
// subscribes once to the node's own subject, through which every frame
// for any of its processes arrives, and installs itself as sys's handler
// of foreign PIDs, so that Send, Request, Link, Monitor and Exit on a PID
// of another node work through sys and through every actor.Context as they
// do locally. It connects to cfg.Peers before it returns (waiting up to T
// for each; one that does not answer is down, and retried).
//
// Errors: ErrBadConfig, ErrBuffering, and the connection's own errors
// (nats.ErrAuthorization for refused credentials, for example).
func Start(sys *system.System, cfg Config) (*Node, error) {
	if sys == nil {
		return nil, fmt.Errorf("%w: nil system", ErrBadConfig)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	n := &Node{
		sys: sys, cfg: cfg, inc: cfg.Incarnation, codec: cfg.Codec, log: cfg.Logger,
		peers: xsync.NewMapOf[string, *peer](), kinds: xsync.NewMapOf[string, Kind](),
		nodeMons: make(map[actor.Ref]nodeMon), stop: make(chan struct{}), done: make(chan struct{}),
		epoch: time.Now(),
	}
	n.life, n.cancel = context.WithCancel(context.Background())
	for name, k := range cfg.Kinds {
		n.kinds.Store(name, k)
	}
	n.bufs.New = func() any { b := make([]byte, 0, 256); return &b }
	id, ok := registerLocal(cfg.Cluster, cfg.Name, n.inc, sys.Number())
	if !ok {
		return nil, fmt.Errorf("%w: node %s incarnation %d was already started in this program", ErrBadConfig, cfg.Name, n.inc)
	}
	n.id = id
	if cfg.Conn != nil {
		n.nc = cfg.Conn
		if n.nc.Opts.ReconnectBufSize != -1 {
			return nil, ErrBuffering
		}
		oldDis, oldRe := n.nc.Opts.DisconnectedErrCB, n.nc.Opts.ReconnectedCB
		n.nc.SetDisconnectErrHandler(func(c *nats.Conn, err error) {
			n.disconnected(err)
			if oldDis != nil {
				oldDis(c, err)
			}
		})
		n.nc.SetReconnectHandler(func(c *nats.Conn) {
			n.reconnected()
			if oldRe != nil {
				oldRe(c)
			}
		})
	} else {
		opts := append(append([]nats.Option(nil), cfg.Options...),
			nats.ReconnectBufSize(-1),
			nats.Name("rt/"+cfg.Cluster+"/"+cfg.Name),
			nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { n.disconnected(err) }),
			nats.ReconnectHandler(func(*nats.Conn) { n.reconnected() }),
			nats.ClosedHandler(func(*nats.Conn) { close(n.done) }),
			nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
				n.log.Error().Err(err).Str("node", cfg.Name).Msg("nats error")
			}),
		)
		nc, err := nats.Connect(cfg.URL, opts...)
		if err != nil {
			return nil, fmt.Errorf("remote: connecting node %s to %s: %w", cfg.Name, cfg.URL, err)
		}
		n.nc, n.ownConn = nc, true
	}
	n.max = int(n.nc.MaxPayload())
	// Frames are never dropped for a slow node: nothing is lost silently.
	sub, err := n.nc.Subscribe(subjectOf(cfg.Cluster, cfg.Name), n.handle)
	if err == nil {
		err = sub.SetPendingLimits(-1, -1)
	}
	var beatSub *nats.Subscription
	if err == nil {
		beatSub, err = n.nc.Subscribe(beatSubjectOf(cfg.Cluster, cfg.Name), n.handleBeat)
	}
	if err == nil {
		err = beatSub.SetPendingLimits(-1, -1)
	}
	if err == nil {
		err = n.nc.Flush()
	}
	if err != nil {
		n.closeConn()
		return nil, fmt.Errorf("remote: subscribing node %s: %w", cfg.Name, err)
	}
	n.sub, n.beatSub = sub, beatSub
	sys.SetForeign(foreign{n})
	n.wg.Add(1)
	go n.tick()
	for _, name := range cfg.Peers {
		if name != cfg.Name {
			_ = n.ensure(n.peerFor(name))
		}
	}
	return n, nil
}

// Name returns the node's name.
func (n *Node) Name() string { return n.cfg.Name }

// Incarnation returns this start's incarnation.
func (n *Node) Incarnation() uint64 { return n.inc }

// System returns the node's System.
func (n *Node) System() *system.System { return n.sys }

// Conn returns the node's NATS connection.
func (n *Node) Conn() *nats.Conn { return n.nc }

// Types returns the default codec, or nil when Config.Codec was another.
func (n *Node) Types() *Types {
	t, _ := n.codec.(*Types)
	return t
}

// Heartbeat returns T, the failure-detection period.
func (n *Node) Heartbeat() time.Duration { return n.cfg.Heartbeat }

// Close leaves the cluster: the connected nodes are told (they see this
// node down at once, with NoConnection for their links and monitors of its
// processes), this node's links and monitors of their processes get
// NoConnection and pending requests fail with it, once each connected node
// has answered the leave or its lease from this node has run out (at most
// T: see the package doc, Failure), and the subscriptions end.
// The System keeps running, local only. Close waits for the node's
// goroutines and, for a connection it made, for the connection to close.
// Idempotent; later calls return nil.
func (n *Node) Close() error {
	n.closeMu.Lock()
	defer n.closeMu.Unlock()
	if n.closed.Swap(true) {
		return nil
	}
	close(n.stop)
	n.cancel()
	n.wg.Wait()
	for _, p := range n.peerList() {
		p.end(actor.NoConnection, true, true, 0)
	}
	// This node's processes are told once the peers' leases ran out (or
	// the peers answered the bye): see lease.go, rule 3.
	for _, p := range n.peerList() {
		if d := p.draining(); d != nil {
			<-d.done
		}
	}
	n.gmu.Lock()
	n.gclosed = true
	n.gmu.Unlock()
	n.gwg.Wait()
	if n.nc.IsConnected() {
		// The peers get the byes; a connection that is reconnecting has
		// nothing to flush and would wait out its timeout.
		_ = n.nc.FlushTimeout(n.cfg.Heartbeat)
	}
	n.sys.SetForeign(nil)
	var err error
	if n.beatSub != nil {
		_ = n.beatSub.Unsubscribe()
	}
	if n.sub != nil {
		err = n.sub.Unsubscribe()
	}
	n.closeConn()
	if errors.Is(err, nats.ErrConnectionClosed) {
		err = nil
	}
	return err
}

func (n *Node) closeConn() {
	if !n.ownConn {
		return
	}
	n.nc.Close()
	<-n.done
}

func (n *Node) peerList() []*peer {
	var ps []*peer
	n.peers.Range(func(_ string, p *peer) bool { ps = append(ps, p); return true })
	return ps
}

// tick runs the failure detector and the reconnection of down peers: every
// T/4 a heartbeat to each peer up, a fresh offer to each peer down, and a
// peer silent for T is declared down. Heartbeats are taken on a lane of
// their own (lease.go, rule 5), so a node whose data lane waits for room
// in a mailbox still hears its peers.
func (n *Node) tick() {
	defer n.wg.Done()
	t := time.NewTicker(n.cfg.Heartbeat / 4)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		now := n.mono()
		for _, p := range n.peerList() {
			p.tick(now)
		}
	}
}

func (n *Node) disconnected(err error) {
	if n.closed.Load() {
		return
	}
	n.log.Warn().Err(err).Str("node", n.cfg.Name).Msg("nats connection lost: every node is down")
	for _, p := range n.peerList() {
		p.end(actor.NoConnection, false, true, 0)
	}
}

func (n *Node) reconnected() {
	n.log.Info().Str("node", n.cfg.Name).Msg("nats connection back")
	for _, p := range n.peerList() {
		p.offer()
	}
}

// peerFor returns the peer named name, made on first use.
func (n *Node) peerFor(name string) *peer {
	p, _ := n.peers.LoadOrCompute(name, func() *peer { return newPeer(n, name) })
	return p
}

// publish sends frame b to p's data lane. The caller holds p.mu for
// reading or writing, so that no frame of a session goes out after its end.
func (n *Node) publish(p *peer, b []byte) error {
	if len(b) > n.max {
		return fmt.Errorf("%w: %d bytes, max %d", ErrTooLarge, len(b), n.max)
	}
	// The connection holds no publish back while it reconnects
	// (ReconnectBufSize -1): Publish refuses it instead.
	if err := n.nc.Publish(p.subject, b); err != nil {
		return fmt.Errorf("%w: %v", errLost, err)
	}
	return nil
}

func (n *Node) buf() *[]byte { return n.bufs.Get().(*[]byte) }

func (n *Node) free(b *[]byte) {
	if cap(*b) <= 64<<10 {
		*b = (*b)[:0]
		n.bufs.Put(b)
	}
}

// handle is the data lane's handler: every frame for this node but
// heartbeats and their echoes comes through it, one at a time, in the
// order each sender published them. A data frame acts only under the
// sender's lease (lease.go, rule 4).
func (n *Node) handle(m *nats.Msg) {
	if h := n.hold.Load(); h != nil {
		<-*h
	}
	r := reader{b: m.Data}
	kind := r.byte()
	name := r.bytes()
	inc := r.uvarint()
	sess := r.uvarint()
	if r.bad || len(name) == 0 {
		n.log.Warn().Str("node", n.cfg.Name).Msg("malformed frame dropped")
		return
	}
	p := n.last
	if p == nil || !bytes.Equal(name, []byte(p.name)) {
		p = n.peerFor(string(name))
		n.last = p
	}
	switch kind {
	case kHello:
		p.onHello(inc, sess, &r, n.mono())
		return
	case kAck:
		p.onAck(inc, sess, &r, n.mono())
		return
	case kReset:
		p.onReset(inc, r.uvarint())
		return
	}
	if !p.accepts(inc, sess) {
		p.stale(kind, &r, sess)
		return
	}
	p.frames.Add(1)
	switch kind {
	case kBye:
		p.end(actor.NoConnection, false, false, sess)
	case kEcho:
		p.echoed(r.uvarint(), n.mono())
	default:
		if !p.leased(n.mono()) {
			p.lapsed(kind, &r, sess)
			return
		}
		p.onData(kind, &r)
	}
}
