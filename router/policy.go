package router

import (
	"math/rand/v2"
	"sync/atomic"

	"github.com/airssys/rt/actor"
)

// Routee is one place of a router: its slot, stable for the router's life
// (the index in Spec.Routees, or the pool worker's number), and the
// process in it now. A pool routee restarted by its supervisor keeps its
// slot with a new PID.
type Routee struct {
	Slot int
	PID  actor.PID
}

// Policy chooses who gets a message. Route is given the routees that are
// up (never none), in slot order, and a function reading a routee's
// mailbox backlog from the runtime; it returns the routees that get msg,
// as a part of up (or an error, which fails the message; choosing none
// fails it with ErrNoRoutee). It runs on the router's goroutine, one
// message at a time, and must not keep up, unless the Policy is
// Concurrent.
//
// A Policy value may hold state (a round-robin position): give each
// router its own, as the constructors here do.
type Policy interface {
	Route(msg any, up []Routee, backlog func(actor.PID) int) ([]Routee, error)
}

// Concurrent is a Policy whose Route is safe to call from many goroutines
// at once. A router whose policy is Concurrent routes in its senders'
// goroutines while it holds no user message (actor.Context.Redirect): a
// message that goes to one routee skips the router's mailbox, and a
// Request is answered by the routee with no hop through the router. A message Route gives to more
// than one routee, or fails, still goes through the router. Every policy
// of this package but Broadcast is Concurrent.
type Concurrent interface {
	Policy
	// RoutesConcurrently marks the policy; it is never called.
	RoutesConcurrently()
}

// panicFree marks the policies of this package whose Route runs no code
// of their users and cannot panic: a router redirects with them unguarded.
type panicFree interface{ panicFree() }

// Keyed is a message that says which key a ConsistentHash router routes it
// by: messages with equal keys go to the same routee while it is up.
type Keyed interface {
	HashKey() string
}

// RoundRobin sends each message to the next routee that is up, in slot
// order.
func RoundRobin() Policy { return &roundRobin{} }

// roundRobin's counter, written by every sender, fills a cache line of its
// own (a 64-byte object is 64-byte aligned): an 8-byte allocation would
// share its line with whatever else was allocated beside it, and every
// write there would cost the senders a miss.
type roundRobin struct {
	next atomic.Uint64
	_    [cacheLine - 8]byte
}

const cacheLine = 64

func (p *roundRobin) Route(_ any, up []Routee, _ func(actor.PID) int) ([]Routee, error) {
	i := (p.next.Add(1) - 1) % uint64(len(up))
	return up[i : i+1], nil
}

func (*roundRobin) RoutesConcurrently() {}
func (*roundRobin) panicFree()          {}

// Random sends each message to a routee chosen uniformly at random.
func Random() Policy { return random{} }

type random struct{}

func (random) Route(_ any, up []Routee, _ func(actor.PID) int) ([]Routee, error) {
	i := rand.IntN(len(up))
	return up[i : i+1], nil
}

func (random) RoutesConcurrently() {}
func (random) panicFree()          {}

// LeastLoaded sends each message to the routee with the fewest messages
// queued, read from the runtime (actor.Context.Backlog) without a message
// round trip; ties go round, so idle routees share the load.
func LeastLoaded() Policy { return &leastLoaded{} }

type leastLoaded struct {
	next atomic.Uint64
	_    [cacheLine - 8]byte // as roundRobin's
}

func (p *leastLoaded) Route(_ any, up []Routee, backlog func(actor.PID) int) ([]Routee, error) {
	n := uint64(len(up))
	start := (p.next.Add(1) - 1) % n
	best, least := start, backlog(up[start].PID)
	for k := uint64(1); k < n && least > 0; k++ {
		i := (start + k) % n
		if b := backlog(up[i].PID); b < least {
			best, least = i, b
		}
	}
	return up[best : best+1], nil
}

func (*leastLoaded) RoutesConcurrently() {}
func (*leastLoaded) panicFree()          {}

// Broadcast sends each message to every routee that is up. A Request goes
// with the copy to the first of them, whose Reply answers it; the others
// get the message alone, with the same sender.
func Broadcast() Policy { return broadcast{} }

type broadcast struct{}

func (broadcast) Route(_ any, up []Routee, _ func(actor.PID) int) ([]Routee, error) {
	return up, nil
}

// ConsistentHash sends each message to the routee its key (Keyed) maps to,
// by rendezvous hashing over slots: a key keeps its routee while the slot
// is up, across the routee's restarts; while the slot is down its keys go
// to their next choice, and only those keys move. A message without a key
// fails with ErrNoKey.
func ConsistentHash() Policy { return consistentHash{} }

type consistentHash struct{}

func (consistentHash) Route(msg any, up []Routee, _ func(actor.PID) int) ([]Routee, error) {
	k, ok := msg.(Keyed)
	if !ok {
		return nil, ErrNoKey
	}
	h := fnv64(k.HashKey())
	best, top := 0, uint64(0)
	for i, r := range up {
		if s := mix(h ^ mix(uint64(r.Slot)+1)); i == 0 || s > top {
			best, top = i, s
		}
	}
	return up[best : best+1], nil
}

func (consistentHash) RoutesConcurrently() {}

// fnv64 is FNV-1a over s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
