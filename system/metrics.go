package system

import (
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/puzpuzpuz/xsync/v3"

	"github.com/airssys/rt/actor"
)

// Metrics.
//
// A system created WithMetrics keeps aggregates by actor kind and by
// supervisor, on top of the counters every system keeps (Stats). They are
// written where the runtime already does the work they count, never once
// per message on memory shared between processes:
//
//  1. A spawn adds one to its kind's spawned count and an exit one to its
//     kind's count for the exit's class, next to the live-process count the
//     runtime keeps anyway. Live processes per kind are spawned less exited.
//  2. Messages delivered are added once per turn: a turn counts the
//     messages it handles in a local variable and adds the total to a
//     counter of its kind, striped by PID so that processes of one kind on
//     different cores seldom write the same cache line.
//  3. One turn in SampleEvery (counted down in a field of the process that
//     only its owner writes, from a phase taken from its PID) reads the
//     clock before and after its first message: the handler-time
//     distribution. The same turn notes the backlog, n messages, and the
//     turns that follow end after exactly those n, where the clock is read
//     once more: the mailbox wait a message arriving at that moment would
//     have had before its handler started, kept in locals of the turn's
//     goroutine. No other turn reads the clock.
//  4. Restarts, escalations and give-ups are counted when a process
//     publishes an actor.SupervisionEvent (the supervisor's own events), per
//     supervisor: its registered name, else its kind.
//  5. Mailbox fill (length over capacity) is computed when Stats is called,
//     by walking the process table: nothing is written for it on the
//     message path.
//
// Kinds and supervisors are bounded by MaxKinds and MaxSupervisors; the
// ones beyond are counted together under OtherKind.

// DefaultSampleEvery is the sampling period of handler time when
// MetricsConfig.SampleEvery is 0: one turn in 64.
const DefaultSampleEvery = 64

// MaxSampleEvery is the largest sampling period; larger ones are cut to it.
const MaxSampleEvery = 1<<16 - 1

// MaxKinds and MaxSupervisors bound the kinds and supervisor keys a system
// counts separately; the ones beyond are counted under OtherKind.
const (
	MaxKinds       = 256
	MaxSupervisors = 256
)

// OtherKind is the kind and supervisor key under which the processes and
// supervisors beyond MaxKinds and MaxSupervisors are counted.
const OtherKind = "_other"

// MetricsConfig configures a system's metrics (see WithMetrics).
type MetricsConfig struct {
	// SampleEvery is how many turns of a process pass between two whose
	// first message's handler time is measured: 1 measures every turn, 0
	// means DefaultSampleEvery. Values above MaxSampleEvery are cut to it;
	// negative ones mean DefaultSampleEvery.
	SampleEvery int
}

// WithMetrics turns on the system's aggregates by kind and by supervisor,
// readable through Stats (see Stats.Metrics). Without it a system keeps
// only the counters it needs anyway, and the metric code costs a
// predictable branch per spawn, per exit and per turn, and per message the
// test of a local boolean that is always false (whether to time it).
func WithMetrics(c MetricsConfig) Option {
	return optionFunc(func(cfg *config) {
		n := c.SampleEvery
		if n <= 0 {
			n = DefaultSampleEvery
		}
		cfg.sampleEvery = uint16(min(n, MaxSampleEvery))
	})
}

// ExitClass is the class of an exit reason that metrics count exits by. The
// set is closed and small.
type ExitClass uint8

// The exit classes.
const (
	// ExitNormal: actor.Normal, or an Init that returned actor.Ignore.
	ExitNormal ExitClass = iota
	// ExitShutdown: actor.Shutdown (a stop by the parent or the system).
	ExitShutdown
	// ExitKilled: actor.Killed.
	ExitKilled
	// ExitPanic: a *actor.PanicError (a panic or runtime.Goexit).
	ExitPanic
	// ExitError: any other reason.
	ExitError

	exitClasses = iota
)

var exitClassNames = [exitClasses]string{"normal", "shutdown", "killed", "panic", "error"}

// String returns the class's name as metrics show it: normal, shutdown,
// killed, panic or error.
func (c ExitClass) String() string {
	if int(c) < len(exitClassNames) {
		return exitClassNames[c]
	}
	return "error"
}

// ExitClasses returns every class in order, for code that iterates over
// Stats.Exited.
func ExitClasses() []ExitClass {
	cs := make([]ExitClass, exitClasses)
	for i := range cs {
		cs[i] = ExitClass(i)
	}
	return cs
}

// ClassifyExit returns the class of exit reason. A panic is a panic
// whatever its value wraps.
func ClassifyExit(reason error) ExitClass {
	switch reason {
	case nil, actor.Normal:
		return ExitNormal
	case actor.Shutdown:
		return ExitShutdown
	case actor.Killed:
		return ExitKilled
	}
	if _, ok := reason.(*actor.PanicError); ok {
		return ExitPanic // what a crash gives, without errors.As's reflection
	}
	var pe *actor.PanicError
	switch {
	case errors.As(reason, &pe):
		return ExitPanic
	case errors.Is(reason, actor.Killed):
		return ExitKilled
	case errors.Is(reason, actor.Shutdown):
		return ExitShutdown
	case actor.IsNormal(reason):
		return ExitNormal
	}
	return ExitError
}

// Histogram is a distribution: Counts[i] is the number of observations at
// most Bounds[i] (and above Bounds[i-1]), and the last entry of Counts,
// one more than Bounds, those above every bound. Bounds is shared and must
// not be modified.
type Histogram struct {
	Bounds []float64
	Counts []uint64
	Count  uint64
	Sum    float64
}

// HandlerTimeBounds are the upper bounds, in seconds, of the handler-time
// distribution's buckets.
var HandlerTimeBounds = []float64{1e-6, 4e-6, 16e-6, 64e-6, 256e-6, 1e-3, 4e-3, 16e-3, 64e-3, 256e-3, 1}

// MailboxWaitBounds are the upper bounds, in seconds, of the mailbox-wait
// distribution's buckets: the same as HandlerTimeBounds.
var MailboxWaitBounds = HandlerTimeBounds

// MailboxFillBounds are the upper bounds of the mailbox-fill distribution's
// buckets, as a fraction of capacity: an empty mailbox counts in the first,
// a full one in the last; the bucket above it holds mailboxes beyond their
// bound (only Exit and Down messages, which are never refused, put one
// there).
var MailboxFillBounds = []float64{0, 0.1, 0.25, 0.5, 0.75, 0.9, 1}

var handlerBoundsNS = func() [11]int64 {
	var b [11]int64
	for i, s := range HandlerTimeBounds {
		b[i] = int64(s * 1e9)
	}
	return b
}()

// KindStats is the part of Stats about one kind of actor.
type KindStats struct {
	// Kind is the name given with actor.WithKind, the actor's Go type
	// name, or OtherKind.
	Kind string
	// Processes is the number of live processes of the kind.
	Processes int
	// Spawned counts the processes of the kind ever spawned.
	Spawned uint64
	// Exited counts their exits, indexed by ExitClass.
	Exited [exitClasses]uint64
	// Delivered counts the messages their turns handled, Exit and Down
	// messages and health probes included; a redirected message counts
	// under the process that handles it.
	Delivered uint64
	// Queued is the number of messages in their mailboxes.
	Queued uint64
	// MailboxFill is the distribution of their mailboxes' length over
	// capacity, over MailboxFillBounds; Sum adds the fractions.
	MailboxFill Histogram
	// HandlerTime is the sampled distribution of handler time in seconds,
	// over HandlerTimeBounds.
	HandlerTime Histogram
	// MailboxWait is the sampled distribution of mailbox wait in seconds,
	// over MailboxWaitBounds: at one turn in SampleEvery the time a
	// message arriving then would wait in the mailbox before its handler
	// starts, that is the time the process takes to handle its backlog at
	// that moment. The wake-up of an idle process is not part of it.
	MailboxWait Histogram
}

// SupervisorStats is the part of Stats about one supervisor.
type SupervisorStats struct {
	// Supervisor is the name the supervisor was spawned with, its kind if
	// it has none, or OtherKind.
	Supervisor string
	// Restarts, Escalations and GiveUps count the outcomes its events
	// reported (see actor.SupervisionOutcome).
	Restarts, Escalations, GiveUps uint64
}

const stripes = 8

type stripe struct {
	n atomic.Uint64
	_ [56]byte
}

// kindStats holds the counters of one kind.
type kindStats struct {
	name       string
	spawned    atomic.Uint64
	exited     [exitClasses]atomic.Uint64
	handler    [len(handlerBoundsNS) + 1]atomic.Uint64
	handlerSum atomic.Int64 // nanoseconds
	wait       [len(handlerBoundsNS) + 1]atomic.Uint64
	waitSum    atomic.Int64 // nanoseconds
	delivered  [stripes]stripe
}

type supStats struct {
	name   string
	counts [4]atomic.Uint64 // by actor.SupervisionOutcome
}

// metrics is a system's aggregates; nil when metrics are off.
type metrics struct {
	every   uint16
	kinds   atomic.Pointer[[]*kindStats] // copy on write under mu; [0] is OtherKind
	kindIdx *xsync.MapOf[string, uint16]
	sups    *xsync.MapOf[string, *supStats]
	nsups   atomic.Int32
	mu      sync.Mutex
}

func newMetrics(every uint16) *metrics {
	m := &metrics{
		every:   every,
		kindIdx: xsync.NewMapOf[string, uint16](),
		sups:    xsync.NewMapOf[string, *supStats](),
	}
	ks := []*kindStats{{name: OtherKind}}
	m.kinds.Store(&ks)
	m.kindIdx.Store(OtherKind, 0)
	return m
}

// kindOf returns the index of the kind named by cfgKind, or by a's type.
// The type's name is the runtime's own string: reading it allocates nothing.
func (m *metrics) kindOf(cfgKind string, a actor.Actor) uint16 {
	name := cfgKind
	if name == "" {
		name = typeName(a)
	}
	if i, ok := m.kindIdx.Load(name); ok {
		return i
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if i, ok := m.kindIdx.Load(name); ok {
		return i
	}
	ks := *m.kinds.Load()
	if len(ks) > MaxKinds {
		return 0 // beyond the bound; not remembered, so that the map stays bounded too
	}
	next := make([]*kindStats, len(ks), len(ks)+1)
	copy(next, ks)
	next = append(next, &kindStats{name: name})
	m.kinds.Store(&next)
	i := uint16(len(ks))
	m.kindIdx.Store(name, i)
	return i
}

func (m *metrics) kind(i uint16) *kindStats { return (*m.kinds.Load())[i] }

// delivered adds the n messages of one turn of p.
func (m *metrics) delivered(p *process, n int32) {
	m.kind(p.kind).delivered[p.pid.ID()%stripes].n.Add(uint64(n))
}

// sample reports whether this turn of p is measured (see rule 3 above).
// Owner only.
func (p *process) sample(m *metrics) bool {
	p.sampleIn--
	if p.sampleIn != 0 {
		return false
	}
	p.sampleIn = m.every
	return true
}

// timedDispatch is dispatch, measured from start.
func (p *process) timedDispatch(m *metrics, env envelope, start time.Time) {
	p.dispatch(env)
	d := time.Since(start).Nanoseconds()
	k := m.kind(p.kind)
	k.handler[bucketNS(d)].Add(1)
	k.handlerSum.Add(d)
}

// backlog is a mailbox-wait sample under way in a process's turns (see
// rule 3 above): left messages are still ahead of a message that would
// have arrived at from. Owned by the turn's goroutine.
type backlog struct {
	from time.Time
	left int32
}

// limit returns the turn's limit cut so that the turn ends when the
// backlog is through.
func (b *backlog) limit(limit int32) int32 {
	if b.left > 0 && b.left < limit {
		return b.left
	}
	return limit
}

// took counts the n messages a turn of limit handled, and records the wait
// when the backlog is through, or when the mailbox ran dry before it (its
// oldest messages dropped by its policy). A turn that ended short of its
// limit with the process alive and not stopping found the mailbox empty.
func (b *backlog) took(m *metrics, p *process, n, limit int32) {
	if b.left <= 0 {
		return
	}
	dry := n < limit && p.stop == nil && p.status.Load() == statusAlive
	if b.left -= n; b.left > 0 && !dry {
		return
	}
	b.left = 0
	d := time.Since(b.from).Nanoseconds()
	k := m.kind(p.kind)
	k.wait[bucketNS(d)].Add(1)
	k.waitSum.Add(d)
}

func bucketNS(d int64) int {
	i := 0
	for i < len(handlerBoundsNS) && d > handlerBoundsNS[i] {
		i++
	}
	return i
}

// readHistogram reads a sampled distribution in seconds: its bucket
// counts and its sum in nanoseconds.
func readHistogram(bounds []float64, counts []atomic.Uint64, sumNS *atomic.Int64) Histogram {
	h := Histogram{Bounds: bounds, Counts: make([]uint64, len(counts))}
	for j := range counts {
		n := counts[j].Load()
		h.Counts[j] = n
		h.Count += n
	}
	h.Sum = float64(sumNS.Load()) / 1e9
	return h
}

// supervision counts event if p publishes a supervision outcome.
func (m *metrics) supervision(p *process, event any) {
	se, ok := event.(actor.SupervisionEvent)
	if !ok {
		return
	}
	o := se.SupervisionOutcome()
	if o == actor.SupervisionOther || int(o) >= len(supStats{}.counts) {
		return
	}
	key := p.name
	if key == "" {
		key = m.kind(p.kind).name
	}
	st, ok := m.sups.Load(key)
	if !ok {
		if m.nsups.Load() >= MaxSupervisors {
			key = OtherKind
		}
		st, _ = m.sups.LoadOrCompute(key, func() *supStats {
			m.nsups.Add(1)
			return &supStats{name: key}
		})
	}
	st.counts[o].Add(1)
}

// fillStats adds the metric part of Stats to st.
func (s *System) fillStats(st *Stats) {
	m := s.m
	ks := *m.kinds.Load()
	st.Metrics = true
	st.Kinds = make([]KindStats, len(ks))
	for i, k := range ks {
		out := &st.Kinds[i]
		out.Kind = k.name
		out.Spawned = k.spawned.Load()
		var exited uint64
		for c := range k.exited {
			out.Exited[c] = k.exited[c].Load()
			exited += out.Exited[c]
		}
		out.Processes = int(max(int64(out.Spawned)-int64(exited), 0))
		for j := range k.delivered {
			out.Delivered += k.delivered[j].n.Load()
		}
		out.HandlerTime = readHistogram(HandlerTimeBounds, k.handler[:], &k.handlerSum)
		out.MailboxWait = readHistogram(MailboxWaitBounds, k.wait[:], &k.waitSum)
		out.MailboxFill = Histogram{Bounds: MailboxFillBounds, Counts: make([]uint64, len(MailboxFillBounds)+1)}
		st.Spawned += out.Spawned
		st.Delivered += out.Delivered
		for c := range out.Exited {
			st.Exited[c] += out.Exited[c]
		}
	}
	s.reg.Range(func(_ actor.PID, p *process) bool {
		if p.status.Load() == statusDead || int(p.kind) >= len(st.Kinds) {
			return true
		}
		n, c := p.mb.User.Len(), p.mb.User.Cap()
		f := float64(n) / float64(c)
		h := &st.Kinds[p.kind].MailboxFill
		i := 0
		for i < len(MailboxFillBounds) && f > MailboxFillBounds[i] {
			i++
		}
		h.Counts[i]++
		h.Count++
		h.Sum += f
		st.Kinds[p.kind].Queued += uint64(n)
		return true
	})
	m.sups.Range(func(_ string, v *supStats) bool {
		st.Supervisors = append(st.Supervisors, SupervisorStats{
			Supervisor:  v.name,
			Restarts:    v.counts[actor.SupervisionRestart].Load(),
			Escalations: v.counts[actor.SupervisionEscalation].Load(),
			GiveUps:     v.counts[actor.SupervisionGiveUp].Load(),
		})
		return true
	})
	sort.Slice(st.Supervisors, func(i, j int) bool { return st.Supervisors[i].Supervisor < st.Supervisors[j].Supervisor })
}
