package system

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/atomicx"
	"github.com/airssys/rt/internal/pidmap"
	"github.com/airssys/rt/mailbox"
)

// Process status, stored in process.status.
const (
	statusAlive   uint32 = iota
	statusExiting        // Terminate is running; the exit reason is fixed
	statusDead           // gone for everyone: registry, links, monitors
)

// callback names the actor callback a process's turn is running, so that a
// callback that ends the goroutine with runtime.Goexit can be told from one
// that returned or panicked (see System.runTurn), and so that Shutdown can
// tell a process whose handler still runs from one merely finishing its
// exit. The owner writes it with setCalling and reads it plainly; any other
// goroutine reads it with callingNow.
type callback uint32

const (
	inNone callback = iota
	inInit
	inReceive
	inTerminate
)

// watcher receives the Down of a monitor.
type watcher interface {
	down(ref actor.Ref, pid actor.PID, reason error)
}

// process is one actor's runtime state. Fields under "owner" are touched
// only by the goroutine holding the mailbox turn; fields under mu by anyone
// holding mu.
//
// The fields are in three groups, by who touches them on the hot paths: the
// first is read on every send; the last is written by the owner for every
// message. A process is 256 bytes, so it starts on a cache line, and the
// owner's group fills the last line alone: sharing a line with what
// senders read, of this process or of the next one in memory, would move
// that line between cores with every message (TestHotFieldsApart).
type process struct {
	// Read on every send. The run state in mb is written by the owner at
	// each look at the lanes and by senders that wake it.
	sys    *System
	pid    actor.PID
	mb     mailbox.Mailbox[envelope, signal]
	status atomic.Uint32
	// throughput, read by the owner once a turn, fills the gap before
	// redirect, which senders read on every send.
	throughput int32
	redirect   atomic.Pointer[redirect] // see Context.Redirect; nil for almost every process

	// Neither: written at spawn or on rare paths.
	parent   actor.PID
	name     string
	actor    actor.Actor
	mu       sync.Mutex
	reason   error    // fixed when status leaves alive; under mu
	ext      *procExt // under mu
	initCh   chan error
	needInit bool // owner
	// parentLink is the link to the parent, kept here rather than in
	// ext.links: every supervised child has it, and most nothing else of
	// ext. Under mu.
	parentLink bool
	kind       uint16 // index of the kind's counters; 0 when metrics are off
	trap       atomic.Bool
	// While the owner finalizes, the first linked or monitoring process it
	// wakes is handed to this goroutine to run next, instead of waking
	// another worker: an exit chain then costs no goroutine switch. Owner.
	handoff *process

	// owner, written for every message; the last cache line.
	cur     current
	replied bool // the current Request was answered, forwarded, deferred or refused
	// sampleIn counts down the turns to the next one whose handler time
	// is measured (see metrics.go, rule 3).
	sampleIn uint16
	calling  callback     // the callback running, kept if it calls runtime.Goexit
	stop     error        // Stop or an untrapped exit signal: exit after this handler
	rt       *recvTimeout // set by the first SetReceiveTimeout, then kept
}

// procExt holds what most processes never need, so that an idle process
// stays small. Guarded by process.mu.
type procExt struct {
	links    pidmap.Map[struct{}]
	watchers map[actor.Ref]watcher   // who monitors this process
	monitors map[actor.Ref]actor.PID // whom this process monitors
	ctx      context.Context
	cancel   context.CancelFunc
	death    context.Context // see deathContext
	die      context.CancelFunc
	timers   *timer          // the first of the pending timers it owns, cancelled at exit
	desc     actor.Describer // published with Context.SetDescriber, for introspection
}

// canceled is the death context of a process that is already dead.
var canceled = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// deathContext returns a context cancelled when p is dead (killed, or
// exited), and only then: a blocking call a callback makes waits on it to
// end when the process is killed, where the process's own context may end
// earlier, when a stop arrives that p must still finish its work after.
func (p *process) deathContext() context.Context {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status.Load() == statusDead {
		return canceled
	}
	e := p.extLocked()
	if e.death == nil {
		e.death, e.die = context.WithCancel(context.Background())
	}
	return e.death
}

// setCalling records the callback the owner enters or leaves. A release
// store: as cheap as a plain one on amd64, yet visible to callingNow.
func (p *process) setCalling(c callback) {
	atomicx.StoreRelease((*uint32)(&p.calling), uint32(c))
}

// callingNow returns the callback p's owner is running, from any goroutine.
func (p *process) callingNow() callback {
	return callback(atomic.LoadUint32((*uint32)(&p.calling)))
}

func (p *process) extLocked() *procExt {
	if p.ext == nil {
		p.ext = new(procExt)
	}
	return p.ext
}

func (p *process) exitReason() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reason == nil {
		return actor.NoProc
	}
	return p.reason
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}
