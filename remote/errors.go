package remote

import (
	"errors"
	"fmt"

	"github.com/airssys/rt/actor"
)

// Errors of package remote. Compare with errors.Is; most are wrapped with
// the node, type or size they concern.
var (
	// ErrNoConnection: the node is unreachable (it did not answer, its
	// heartbeats stopped, it left, or this node lost its NATS
	// connection). The message went to the dead letters. errors.Is(err,
	// actor.NoConnection) holds too. Monitor the process or the node to
	// learn when it is back.
	ErrNoConnection = fmt.Errorf("remote: node unreachable: %w", actor.NoConnection)
	// ErrLeaseLapsed: a frame from another node arrived after this node's
	// lease from it ran out, when the sender may already have told its
	// processes NoConnection; it was not delivered (a dead letter here)
	// and the session with that node ended. errors.Is(err,
	// ErrNoConnection) holds too.
	ErrLeaseLapsed = fmt.Errorf("%w: lease from the sending node lapsed", ErrNoConnection)
	// ErrUnregisteredType: the codec has no name for the message's type
	// (or the receiving node has none for the name). Register the type
	// on every node with Types.Register under the same name.
	ErrUnregisteredType = errors.New("remote: message type not registered with the codec")
	// ErrTooLarge: the encoded message is over the NATS connection's
	// max payload; send a smaller one or raise max_payload on the server.
	ErrTooLarge = errors.New("remote: message over the connection's max payload")
	// ErrPIDInMessage: a type given to Types.Register holds an actor.PID
	// or actor.Ref, which the default codec cannot carry between nodes
	// (their numbers mean something on their own node only). Send the PID
	// as the sender (Context.Sender) or as a node name and a registered
	// process name.
	ErrPIDInMessage = errors.New("remote: message type holds a PID or Ref, which the default codec cannot carry")
	// ErrUnknownKind: the node asked to spawn has no kind of that name;
	// register it there with Node.RegisterKind.
	ErrUnknownKind = errors.New("remote: no such kind registered on the node")
	// ErrClosed: the node was closed; start a new one.
	ErrClosed = errors.New("remote: node closed")
	// ErrBadConfig: Start was given a configuration it cannot run with;
	// the wrapped text names the field.
	ErrBadConfig = errors.New("remote: bad configuration")
	// ErrBuffering: the *nats.Conn given to Start buffers publishes while
	// it reconnects, which would deliver messages after their senders
	// were told NoConnection. Connect it with nats.ReconnectBufSize(-1).
	ErrBuffering = errors.New("remote: connection buffers publishes while reconnecting: connect with nats.ReconnectBufSize(-1)")
)
