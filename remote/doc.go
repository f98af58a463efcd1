// Package remote joins Systems into a cluster of nodes over NATS, keeping
// the actor model across machines: a PID names a process on any node,
// and Send, Request, Link, Monitor and Exit on it work through the
// System and through every actor.Context with the calls used locally.
//
// # Nodes
//
// Start joins a System to a named cluster as a named node, through a NATS
// URL (with NATS' own TLS, user/password, token or NKey options) or an
// existing *nats.Conn. Each start is an incarnation. A node has two NATS
// subscriptions on its own subjects: the data lane, through which every
// frame for any of its processes arrives, and the heartbeat lane; nodes
// connect on first use (or Config.Peers at Start).
//
// # PIDs
//
// A PID stays a small comparable value: its system number names one
// incarnation of one node, from a table shared by the nodes of the
// program, so every local node sees a remote process under the same PID.
// NodeOf tells a PID's node. A PID of an earlier incarnation of a node is
// refused as a dead process (actor.ErrNoProcess, a Down or exit signal
// actor.NoProc), never delivered to the new incarnation.
//
// # Messages
//
// Messages are encoded by a Codec; the default, Types, is a registry of
// message types by name (JSON for registered types, binary for Go's basic
// ones), so it needs no code generation. A type not registered, or a
// message over the connection's max payload, is an error at the sender
// (ErrUnregisteredType, ErrTooLarge) and a dead letter there. Messages from
// one sender to one receiver arrive in the order sent; a message that
// reaches a node but not its process (dead, full mailbox, unknown name) is
// a dead letter on that node. A remote process's mailbox is never waited
// on: a full one refuses the message, whatever its policy.
//
// # Failure
//
// Links, monitors and exit signals follow Erlang's rules across nodes.
// Nodes send each other a heartbeat every T/4 (Config.Heartbeat) and
// declare a node down after T without a frame from it, at once when it
// leaves (Close), when their own NATS connection is lost, and when their
// lease from it lapses (below). Then every monitor of a process on it gets
// exactly one Down with actor.NoConnection, every link the exit signal
// actor.NoConnection, every Request waiting on it an *actor.ExitError with
// that reason, and MonitorNode's watchers a NodeDown. A link or monitor of
// a process on a node known to be down answers at once; a node never
// contacted is tried for up to T first.
//
// A message is never delivered after its sender was told NoConnection for
// the receiving node (by a Down, an exit signal, a failed Request, a
// NodeDown, or a Send refused with ErrNoConnection). Frames are sent and
// taken only within a session between two nodes, and a node lets a frame
// of a session act (a message, a request, a reply, a link, monitor or
// exit signal, a spawn) only while it holds a lease from the sender,
// measured on its own monotonic clock: each heartbeat carries the sender's
// stamp, the receiver echoes it back, and an echo of its own stamp e lets
// a node take the sender's frames until e + L, L = T - T/8. The sender
// took that stamp no sooner than it was sent, and tells its processes
// NoConnection no sooner than T after the newest stamp it took: the
// failure detector waits that long anyway, and a node that ends a session
// at once (its connection lost, Close, a lapsed lease) holds its processes'
// NoConnection back until then, during which Send, Request, Link and
// Monitor to that node wait, at most T. So the receiver's lease has run
// out before the sender's processes hear of the break, with T/8 to spare
// for the difference of the two clocks' rates. No clocks are compared
// across machines. A frame that arrives after the lease lapsed is a dead
// letter on the receiving node with ErrLeaseLapsed, and that node ends the
// session itself, so that both sides tell their processes NoConnection;
// a frame of an ended session is a dead letter there with ErrNoConnection.
// A node that ends a session because the other one did (its Close, or a
// reset for a session it no longer has) tells its processes at once: the
// other refuses every frame of that session from then on. Heartbeats and
// echoes travel on the heartbeat lane, so that a node whose data frames
// wait for room in a mailbox still hears its peers and keeps its leases.
// NATS never holds publishes back to deliver them after a reconnection
// (the node connects with nats.ReconnectBufSize(-1)). Nodes should use the
// same T: a pair's lease is taken from the shorter of the two, so a
// mismatch is never unsafe, but a node whose T is over three times its
// peer's renews its leases too seldom and sees its sessions lapse.
//
// # Distributed supervision
//
// RegisterKind names what other nodes may spawn on this one; Spawn and
// SpawnLink start a process of a kind on a node, its arguments through the
// codec. Node.Child makes a supervisor.Child that starts its process on the
// node a Placement chooses: when that node goes down, the supervisor sees
// the child exit with actor.NoConnection and restarts it by its restart
// type, where the Placement says then.
//
// # Goroutines and limits
//
// A node runs one goroutine of its own, the failure detector, plus one per
// remote spawn being served (Init may take long), and timers of its
// sessions (a lease's end, a held-back NoConnection) run briefly as they
// fire; NATS runs the two subscriptions' handlers and its connection's.
// Close waits for all of them, and for the NoConnection it holds back for
// its own processes (at most T; less once the peers answer its leaving).
// Timers (SendAfter, SendInterval) to a remote PID send through the node at
// each firing. Not carried across nodes: Forward of a Request to a remote
// PID, MonitorName of "name@node", and PIDs inside message bodies (see
// ErrPIDInMessage). A node name once used is
// offered a session every T/4 until the node closes, so that it is found
// when it comes up.
package remote
