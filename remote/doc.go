// Package remote joins Systems into a cluster of nodes over NATS, keeping
// the actor model across machines: a PID names a process on any node,
// and Send, Request, Link, Monitor and Exit on it work through the
// System and through every actor.Context with the calls used locally.
//
// # Nodes
//
// Start joins a System to a named cluster as a named node, through a NATS
// URL (with NATS' own TLS, user/password, token or NKey options) or an
// existing *nats.Conn. Each start is an incarnation. A node has one NATS
// subscription, on its own subject, through which every frame for any of
// its processes arrives; nodes connect on first use (or Config.Peers at
// Start).
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
// leaves (Close), and when their own NATS connection is lost. Then every
// monitor of a process on it gets exactly one Down with actor.NoConnection,
// every link the exit signal actor.NoConnection, every Request waiting on
// it an *actor.ExitError with that reason, and MonitorNode's watchers a
// NodeDown. A link or monitor of a process on a node known to be down
// answers at once; a node never contacted is tried for up to T first.
// Frames are sent and taken only within a session between two nodes: once
// a node has told its processes NoConnection, nothing of the old session
// is delivered, and NATS never holds publishes back to deliver them after
// a reconnection (the node connects with nats.ReconnectBufSize(-1)).
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
// remote spawn being served (Init may take long); NATS runs the
// subscription's handler and its connection's. Close waits for all of them.
// Timers (SendAfter, SendInterval) to a remote PID send through the node at
// each firing. Not carried across nodes: Forward of a Request to a remote
// PID, MonitorName of "name@node", and PIDs inside message bodies (see
// ErrPIDInMessage). A node name once used is
// offered a session every T/4 until the node closes, so that it is found
// when it comes up.
package remote
