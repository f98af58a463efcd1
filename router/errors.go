package router

import "errors"

// Errors of the router package. Spawn returns the configuration errors;
// the routing errors fail a Request through the router (the message is
// a dead letter with the error as its reason).
var (
	// ErrNilPolicy: the Spec has no Policy.
	ErrNilPolicy = errors.New("router: nil policy")
	// ErrNoRoutees: the Spec names no routee: give Routees, or a Pool of
	// Size 1 or more.
	ErrNoRoutees = errors.New("router: no routees")
	// ErrGroupAndPool: the Spec gives both Routees and a Pool; a router
	// routes over one or the other.
	ErrGroupAndPool = errors.New("router: both a group of routees and a pool")
	// ErrNoRoutee: every routee is down (exited, or restarting), or the
	// policy chose none; the message went to the dead letters. Retry once
	// a pool routee is back.
	ErrNoRoutee = errors.New("router: no routee is up")
	// ErrNoKey: a ConsistentHash router was given a message that does not
	// implement Keyed; the message went to the dead letters.
	ErrNoKey = errors.New("router: message has no hash key (implement router.Keyed)")
	// ErrNotPool: Resize was asked of a router over a group of PIDs.
	ErrNotPool = errors.New("router: not a pool: a group cannot be resized")
	// ErrBadSize: a pool size below 1.
	ErrBadSize = errors.New("router: pool size must be at least 1")
	// ErrNotRouter: the PID given to Resize or Routees is not a router.
	ErrNotRouter = errors.New("router: not a router")
)
