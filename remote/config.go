package remote

import (
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
)

// DefaultHeartbeat is the failure-detection period T when Config leaves it
// zero: a node sends a heartbeat to each connected node every T/4 and
// declares it down after T without a frame from it.
const DefaultHeartbeat = 4 * time.Second

// MinHeartbeat is the shortest T Start accepts.
const MinHeartbeat = 20 * time.Millisecond

// Config configures a node. Cluster and Name are required, and one of URL
// and Conn.
type Config struct {
	// Cluster names the cluster: nodes talk only to nodes of the same
	// cluster on the same NATS system. A NATS subject token: no '.', '*',
	// '>', '@' or white space.
	Cluster string
	// Name names the node within its cluster, as Cluster does. Two live
	// nodes must not share a name.
	Name string
	// URL is the NATS server (or comma-separated servers) to connect to,
	// with Options applied: nats.Secure or nats.RootCAs for TLS,
	// nats.UserInfo, nats.Token, nats.Nkey or nats.UserCredentials for
	// authentication, as NATS defines them. Start adds
	// nats.ReconnectBufSize(-1) (see ErrBuffering) and its own
	// connection handlers. The node closes this connection on Close.
	URL     string
	Options []nats.Option
	// Conn is an existing connection to use instead of URL; it must have
	// been made with nats.ReconnectBufSize(-1). The node installs its
	// disconnect and reconnect handlers (calling the ones it had) and
	// leaves the connection open on Close.
	Conn *nats.Conn
	// Heartbeat is T (see DefaultHeartbeat); at least MinHeartbeat. Give
	// every node of a cluster the same T: a node's lease from another lasts
	// L = T - T/8 of the shorter of the two (see the package doc, Failure),
	// and a node whose T is several times its peer's renews it too seldom.
	Heartbeat time.Duration
	// Codec encodes messages; nil means a NewTypes() registry, reachable
	// with Node.Types.
	Codec Codec
	// Incarnation tells this start of the node from earlier ones (Erlang's
	// creation); PIDs of an earlier incarnation are refused as dead. Zero
	// means the start time in nanoseconds, which grows from one start to
	// the next.
	Incarnation uint64
	// Peers are nodes to connect to at Start; others are connected on
	// first use (a PID, a name@node, MonitorNode, a spawn). A peer that does
	// not answer within T is down, and retried every T/4.
	Peers []string
	// Kinds are registered (see Node.RegisterKind) before the node joins,
	// so that no node sees it up without them.
	Kinds map[string]Kind
	// Logger receives the node's structured logs (node up and down,
	// refused frames); silent by default.
	Logger zerolog.Logger
}

func validToken(s string) bool {
	return s != "" && !strings.ContainsAny(s, ".*>@ \t\r\n") && len(s) <= 128
}

func (c Config) withDefaults() (Config, error) {
	if !validToken(c.Cluster) {
		return c, fmt.Errorf("%w: Cluster %q must be a NATS subject token without '@'", ErrBadConfig, c.Cluster)
	}
	if !validToken(c.Name) {
		return c, fmt.Errorf("%w: Name %q must be a NATS subject token without '@'", ErrBadConfig, c.Name)
	}
	if (c.URL == "") == (c.Conn == nil) {
		return c, fmt.Errorf("%w: give exactly one of URL and Conn", ErrBadConfig)
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.Heartbeat < MinHeartbeat {
		return c, fmt.Errorf("%w: Heartbeat %v is under %v", ErrBadConfig, c.Heartbeat, MinHeartbeat)
	}
	for _, p := range c.Peers {
		if !validToken(p) {
			return c, fmt.Errorf("%w: peer %q is not a node name", ErrBadConfig, p)
		}
	}
	for name, k := range c.Kinds {
		if name == "" || k == nil {
			return c, fmt.Errorf("%w: Kinds needs names and non-nil Kinds", ErrBadConfig)
		}
	}
	if c.Codec == nil {
		c.Codec = NewTypes()
	}
	if c.Incarnation == 0 {
		c.Incarnation = uint64(time.Now().UnixNano())
	}
	return c, nil
}

func subjectOf(cluster, name string) string { return "rt." + cluster + "." + name }

// beatSubjectOf is the subject of a node's heartbeat lane; a node name has
// no '.', so it is no other node's subject.
func beatSubjectOf(cluster, name string) string { return subjectOf(cluster, name) + ".beat" }
