package soak

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

var seedFlag = flag.Uint64("seed", 0, "replay the chaos soak with this seed (0: a fresh one; SOAK_SEED works too)")

// long reports whether the long versions run (SOAK=1, as `make soak` sets).
func long() bool { return os.Getenv("SOAK") == "1" }

func soakSeed(t *testing.T) uint64 {
	if *seedFlag != 0 {
		return *seedFlag
	}
	if s := os.Getenv("SOAK_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "SOAK_SEED")
		return n
	}
	return rand.Uint64()
}

// soakConfig sizes a chaos soak.
type soakConfig struct {
	duration   time.Duration
	senders    int
	leaves     int // leaf supervisors per static group
	workers    int // workers per static leaf
	dynLeaves  int // dynamic leaf supervisors
	dynWorkers int // workers per dynamic leaf
	chaosEvery int // messages sent per chaos step
	maxIDs     int
}

func shortSoak() soakConfig {
	return soakConfig{duration: 2 * time.Second, senders: 3, leaves: 3, workers: 10, dynLeaves: 3, dynWorkers: 15,
		chaosEvery: 256, maxIDs: 4 << 20}
}

func longSoak(t *testing.T) soakConfig {
	d := 2 * time.Minute
	if s := os.Getenv("SOAK_DURATION"); s != "" {
		var err error
		d, err = time.ParseDuration(s)
		require.NoError(t, err, "SOAK_DURATION")
	}
	return soakConfig{duration: d, senders: 4, leaves: 6, workers: 40, dynLeaves: 3, dynWorkers: 80,
		chaosEvery: 512, maxIDs: 128 << 20}
}

// Chaos messages, carried out by the worker that receives them.
type (
	chaosPanic struct{}
	chaosStop  struct{ reason error }
	chaosExit  struct{ reason error } // Exit(self, reason)
)

var errChaos = errors.New("chaos")

// worker handles load messages, recording each id in the ledger and
// checking per-sender order, and carries out chaos messages.
type worker struct {
	key  int
	l    *ledger
	rec  *recorder
	last [maxSenders]uint64
}

func (w *worker) Init(ctx actor.Context) error {
	w.rec.init(w.key, ctx.Self(), ctx.Parent())
	return nil
}

func (w *worker) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case payload:
		w.l.handled(m.id)
		if m.id <= w.last[m.sender] {
			if w.rec.order.Add(1) == 1 {
				s := fmt.Sprintf("worker %d (%v): id %d from sender %d after id %d", w.key, ctx.Self(), m.id, m.sender, w.last[m.sender])
				w.rec.orderEx.Store(&s)
			}
		}
		w.last[m.sender] = m.id
	case chaosPanic:
		w.rec.crashes.Add(1)
		panic("chaos")
	case chaosStop:
		w.rec.crashes.Add(1)
		ctx.Stop(m.reason)
	case chaosExit:
		w.rec.crashes.Add(1)
		_ = ctx.Exit(ctx.Self(), m.reason)
	case actor.Exit:
		ctx.Stop(m.Reason) // a trapping worker stops on any exit signal
	}
}

// trappingWorker traps exits and has a Terminate callback, so that its
// stopping goes through the ordered paths (Exit messages, Terminate).
type trappingWorker struct{ worker }

func (w *trappingWorker) Init(ctx actor.Context) error {
	ctx.TrapExit(true)
	return w.worker.Init(ctx)
}

func (w *trappingWorker) Terminate(actor.Context, error) {}

// workerSpec describes worker key: its name, restart type, mailbox,
// shutdown policy and whether it traps exits.
func workerProps(key int, l *ledger, rec *recorder) actor.Props {
	policies := []actor.Option{
		actor.WithMailbox(256, mailbox.Backpressure), actor.WithMailbox(256, mailbox.Backpressure),
		actor.WithMailbox(8, mailbox.DropNewest), actor.WithMailbox(8, mailbox.DropOldest),
	}
	opts := []actor.Option{actor.WithName(workerName(key)), policies[key%4]}
	if key%7 == 0 {
		return actor.PropsOf(func() actor.Actor { return &trappingWorker{worker{key: key, l: l, rec: rec}} }, opts...)
	}
	return actor.PropsOf(func() actor.Actor { return &worker{key: key, l: l, rec: rec} }, opts...)
}

func workerName(key int) string { return "w" + strconv.Itoa(key) }

func workerChild(key int, l *ledger, rec *recorder) supervisor.Child {
	restart := supervisor.Permanent
	switch {
	case key%10 == 9:
		restart = supervisor.Temporary
	case key%5 == 1 || key%5 == 3:
		restart = supervisor.Transient
	}
	shutdown := []supervisor.ShutdownPolicy{{}, supervisor.Brutal, supervisor.Timeout(2 * time.Second)}[key%3]
	return supervisor.Child{ID: workerName(key), Start: workerProps(key, l, rec), Restart: restart,
		Shutdown: shutdown, StartTimeout: time.Minute}
}

// tree is the supervision tree of a soak: root > 4 groups > leaves >
// workers. The static groups use the three static strategies, each leaf
// one of them and one of the three escalations; the fourth group holds
// dynamic leaves.
type tree struct {
	root     actor.Actor
	groups   []string
	leaves   []string // static leaves
	dynamic  []string // dynamic leaves
	dynKeys  map[string][]int
	keys     int // workers: keys 0..keys-1
	workerOf map[int]string
}

const dynTemplate = "dyn"

func buildTree(cfg soakConfig, l *ledger, rec *recorder) *tree {
	tr := &tree{dynKeys: map[string][]int{}, workerOf: map[int]string{}}
	strategies := []supervisor.Strategy{supervisor.OneForOne, supervisor.OneForAll, supervisor.RestForOne}
	escalations := []supervisor.Escalation{supervisor.Escalate, supervisor.Terminate,
		supervisor.Backoff{Base: time.Millisecond, Max: 20 * time.Millisecond, Jitter: 0.5}}
	supChild := func(name string, restart supervisor.RestartType, spec supervisor.Spec, kids ...supervisor.Child) supervisor.Child {
		return supervisor.Child{ID: name, Kind: supervisor.Supervisor, Restart: restart, StartTimeout: 5 * time.Minute,
			Start: actor.PropsOf(func() actor.Actor { return supervisor.New(spec, kids...) }, actor.WithName(name))}
	}
	var groups []supervisor.Child
	for g, gs := range strategies {
		gname := "g-" + gs.String()
		var leaves []supervisor.Child
		for i := range cfg.leaves {
			lname := fmt.Sprintf("%s/%d", gname, i)
			var kids []supervisor.Child
			for range cfg.workers {
				kids = append(kids, workerChild(tr.keys, l, rec))
				tr.workerOf[tr.keys] = lname
				tr.keys++
			}
			restart := supervisor.Permanent
			if i%4 == 3 {
				restart = supervisor.Transient
			}
			leaves = append(leaves, supChild(lname, restart, supervisor.Spec{Strategy: strategies[i%3],
				Intensity: 10, Period: 200 * time.Millisecond, Escalation: escalations[(i/3+g)%3]}, kids...))
			tr.leaves = append(tr.leaves, lname)
		}
		groups = append(groups, supChild(gname, supervisor.Permanent, supervisor.Spec{Strategy: gs,
			Intensity: 8, Period: time.Second, Escalation: escalations[g%2]}, leaves...))
		tr.groups = append(tr.groups, gname)
	}
	var dyns []supervisor.Child
	for k := range cfg.dynLeaves {
		dname := fmt.Sprintf("g-dyn/%d", k)
		restart := []supervisor.RestartType{supervisor.Permanent, supervisor.Transient, supervisor.Temporary}[k%3]
		template := supervisor.Child{ID: dynTemplate, Restart: restart, StartTimeout: time.Minute,
			Shutdown:  []supervisor.ShutdownPolicy{{}, supervisor.Brutal}[k%2],
			StartWith: func(args ...any) actor.Props { return workerProps(args[0].(int), l, rec) }}
		dyns = append(dyns, supChild(dname, supervisor.Permanent, supervisor.Spec{Strategy: supervisor.SimpleOneForOne,
			Intensity: 20, Period: 200 * time.Millisecond, Escalation: escalations[k%3]}, template))
		for range cfg.dynWorkers {
			tr.dynKeys[dname] = append(tr.dynKeys[dname], tr.keys)
			tr.workerOf[tr.keys] = dname
			tr.keys++
		}
		tr.dynamic = append(tr.dynamic, dname)
	}
	groups = append(groups, supChild("g-dyn", supervisor.Permanent, supervisor.Spec{Intensity: 8, Period: time.Second}, dyns...))
	tr.groups = append(tr.groups, "g-dyn")
	tr.root = supervisor.New(supervisor.Spec{Intensity: 20, Period: time.Second,
		Escalation: supervisor.Backoff{Base: time.Millisecond, Max: 50 * time.Millisecond, Jitter: 0.2}}, groups...)
	return tr
}

// eventLog is built by the event consumer from the system's event stream.
type eventLog struct {
	started          map[actor.PID]bool
	exited           map[actor.PID]int
	childStarted     map[childKey]int
	childRestarted   map[childKey]int
	childEventPIDs   map[actor.PID]int // PIDs named by ChildStarted and ChildRestarted
	lastRestarts     map[childKey]int
	seqErrors        []string
	restarts         int
	gaveUp           int
	restartFailed    int
	delayed          int
	childExited      int
	shutdownTimeouts int
	exitReasons      map[string]int
}

type childKey struct {
	sup actor.PID
	id  string
}

func newEventLog() *eventLog {
	return &eventLog{started: map[actor.PID]bool{}, exited: map[actor.PID]int{}, childStarted: map[childKey]int{},
		childRestarted: map[childKey]int{}, childEventPIDs: map[actor.PID]int{}, lastRestarts: map[childKey]int{}, exitReasons: map[string]int{}}
}

func reasonClass(err error) string {
	var pe *actor.PanicError
	var rle *supervisor.RestartLimitExceeded
	var csf *supervisor.ChildStartFailed
	switch {
	case errors.As(err, &pe):
		return "panic"
	case errors.As(err, &rle):
		return "restart limit"
	case errors.As(err, &csf):
		return "child start failed"
	case errors.Is(err, errChaos):
		return "chaos error"
	}
	return err.Error()
}

func (e *eventLog) add(ev any, rec *recorder) {
	key := func(sup actor.PID, id string, pid actor.PID) childKey {
		if id == dynTemplate { // a dynamic child: its worker key names it
			if k, ok := rec.keyOf(pid); ok {
				return childKey{sup, workerName(k)}
			}
		}
		return childKey{sup, id}
	}
	switch ev := ev.(type) {
	case actor.ProcessStarted:
		e.started[ev.PID] = true
	case actor.ProcessExited:
		e.exited[ev.PID]++
		e.exitReasons[reasonClass(ev.Reason)]++
	case supervisor.ChildStarted:
		k := key(ev.Supervisor, ev.ID, ev.PID)
		e.childStarted[k]++
		e.childEventPIDs[ev.PID]++
		if ev.ID == dynTemplate {
			e.lastRestarts[k] = 0 // a new dynamic child: its count starts afresh
		}
	case supervisor.ChildRestarted:
		k := key(ev.Supervisor, ev.ID, ev.PID)
		e.childRestarted[k]++
		e.childEventPIDs[ev.PID]++
		e.restarts++
		if want := e.lastRestarts[k] + 1; ev.Restarts != want && len(e.seqErrors) < 10 {
			e.seqErrors = append(e.seqErrors, fmt.Sprintf("%v child %s: ChildRestarted.Restarts %d, want %d", ev.Supervisor, k.id, ev.Restarts, want))
		}
		e.lastRestarts[k] = ev.Restarts
	case supervisor.ChildExited:
		e.childExited++
	case supervisor.GaveUp:
		e.gaveUp++
	case supervisor.RestartFailed:
		e.restartFailed++
	case supervisor.RestartDelayed:
		e.delayed++
	case supervisor.ShutdownTimeout:
		e.shutdownTimeouts++
	}
}

// consume reads sub until ctx ends, then drains what is queued, handing
// each event to f. It closes done when finished.
func consume(ctx context.Context, sub *system.Subscription, f func(any), done chan<- struct{}) {
	defer close(done)
	for {
		ev, err := sub.Next(ctx)
		if err != nil {
			for {
				ev, ok := sub.TryNext()
				if !ok {
					return
				}
				f(ev)
			}
		}
		f(ev)
	}
}

// chaosStats counts what the chaos goroutine did.
type chaosStats struct {
	ops        map[string]int
	injected   int // kills, exits and stops that reached a live process
	trips      int // leaves whose intensity was tripped on purpose
	unexpected []string
}

func (c *chaosStats) fail(format string, args ...any) {
	if len(c.unexpected) < 20 {
		c.unexpected = append(c.unexpected, fmt.Sprintf(format, args...))
	}
}

// expected reports whether err is one of the answers a racing chaos call
// may legitimately get: the target gone, the child in another state, the
// supervisor exiting meanwhile, a start that lost a name race.
func expected(err error) bool {
	if err == nil {
		return true
	}
	for _, e := range []error{actor.ErrNoProcess, supervisor.ErrNotFound, supervisor.ErrRunning, supervisor.ErrRestarting,
		supervisor.ErrAlreadyPresent, supervisor.ErrAlreadyStarted, actor.ErrMailboxFull} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ee *actor.ExitError
	var csf *supervisor.ChildStartFailed
	var st *supervisor.ShutdownTimeout
	return errors.As(err, &ee) || errors.As(err, &csf) || errors.As(err, &st)
}

// chaos is the chaos goroutine's state.
type chaos struct {
	sys       *system.System
	tr        *tree
	rng       *rand.Rand
	stats     chaosStats
	populated map[string]actor.PID    // dynamic leaf -> the incarnation populated
	added     map[string]map[int]bool // dynamic leaf -> keys started in it
}

func (c *chaos) callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

func (c *chaos) whereis(name string) (actor.PID, bool) { return c.sys.Whereis(name) }

func (c *chaos) randomWorker() string { return workerName(c.rng.IntN(c.tr.keys)) }

// populate starts the missing children of each dynamic leaf's current
// incarnation (at most budget of them): a fresh leaf has none. A key whose
// start failed has no entry and may be tried again; one that started is
// never started twice in one incarnation.
func (c *chaos) populate(budget int) {
	for _, d := range c.tr.dynamic {
		pid, ok := c.whereis(d)
		if !ok {
			continue
		}
		if c.populated[d] != pid {
			c.populated[d], c.added[d] = pid, map[int]bool{}
		}
		for _, k := range c.tr.dynKeys[d] {
			if c.added[d][k] || budget == 0 {
				continue
			}
			budget--
			ctx, cancel := c.callCtx()
			_, err := supervisor.StartChildWith(ctx, c.sys, pid, k)
			cancel()
			if err == nil {
				c.added[d][k] = true
			} else if !expected(err) {
				c.stats.fail("StartChildWith(%s, %d): %v", d, k, err)
			}
		}
	}
}

// step makes one chaos move.
func (c *chaos) step(ctx context.Context) {
	sendChaos := func(op string, msg any) {
		c.stats.ops[op]++
		pid, ok := c.whereis(c.randomWorker())
		if !ok {
			return
		}
		if err := c.sys.SendContext(ctx, pid, msg); err != nil && !expected(err) && ctx.Err() == nil {
			c.stats.fail("%s: send: %v", op, err)
		}
	}
	signal := func(op string, name string, f func(actor.PID) error) {
		c.stats.ops[op]++
		pid, ok := c.whereis(name)
		if !ok {
			return
		}
		if err := f(pid); err == nil {
			c.stats.injected++
		} else if !expected(err) {
			c.stats.fail("%s %s: %v", op, name, err)
		}
	}
	stop := func(pid actor.PID) error {
		ctx, cancel := c.callCtx()
		defer cancel()
		return c.sys.Stop(ctx, pid)
	}
	leaf := func() string { return c.tr.leaves[c.rng.IntN(len(c.tr.leaves))] }
	anyLeaf := func() string { // static or dynamic
		if i := c.rng.IntN(len(c.tr.leaves) + len(c.tr.dynamic)); i >= len(c.tr.leaves) {
			return c.tr.dynamic[i-len(c.tr.leaves)]
		}
		return leaf()
	}
	static := func() (string, string) { // a static worker and its leaf
		for {
			k := c.rng.IntN(c.tr.keys)
			if l := c.tr.workerOf[k]; !c.isDynamic(l) {
				return workerName(k), l
			}
		}
	}
	api := func(op string, f func(ctx context.Context, sup actor.PID) error, sup string) {
		c.stats.ops[op]++
		pid, ok := c.whereis(sup)
		if !ok {
			return
		}
		ctx, cancel := c.callCtx()
		defer cancel()
		if err := f(ctx, pid); !expected(err) {
			c.stats.fail("%s on %s: %v", op, sup, err)
		}
	}

	switch r := c.rng.IntN(100); {
	case r < 18:
		sendChaos("panic message", chaosPanic{})
	case r < 30:
		sendChaos("error stop message", chaosStop{errChaos})
	case r < 36:
		sendChaos("normal stop message", chaosStop{actor.Normal})
	case r < 40:
		sendChaos("shutdown stop message", chaosStop{actor.Shutdown})
	case r < 44:
		sendChaos("exit-self message", chaosExit{errChaos})
	case r < 56:
		signal("kill worker", c.randomWorker(), c.sys.Kill)
	case r < 63:
		signal("exit kill worker", c.randomWorker(), func(p actor.PID) error { return c.sys.Exit(p, actor.Kill) })
	case r < 67:
		signal("exit error worker", c.randomWorker(), func(p actor.PID) error { return c.sys.Exit(p, errChaos) })
	case r < 70:
		signal("stop worker", c.randomWorker(), stop)
	case r < 73:
		signal("kill leaf", anyLeaf(), c.sys.Kill)
	case r < 75:
		signal("exit error leaf", anyLeaf(), func(p actor.PID) error { return c.sys.Exit(p, errChaos) })
	case r < 76:
		signal("kill group", c.tr.groups[c.rng.IntN(len(c.tr.groups))], c.sys.Kill)
	case r < 80:
		c.trip(anyLeaf())
	case r < 87:
		api("RestartChild", func(ctx context.Context, sup actor.PID) error {
			// Revive the children left stopped (terminated, or transient
			// after a clean exit).
			infos, err := supervisor.WhichChildren(ctx, c.sys, sup)
			if err != nil {
				return err
			}
			for _, in := range infos {
				if in.PID.IsZero() && !in.Restarting {
					if _, err := supervisor.RestartChild(ctx, c.sys, sup, in.ID); !expected(err) {
						return err
					}
				}
			}
			return nil
		}, leaf())
	case r < 89:
		w, l := static()
		api("TerminateChild", func(ctx context.Context, sup actor.PID) error {
			return supervisor.TerminateChild(ctx, c.sys, sup, w)
		}, l)
	case r < 91:
		d := c.tr.dynamic[c.rng.IntN(len(c.tr.dynamic))]
		api("TerminateChildPID", func(ctx context.Context, sup actor.PID) error {
			infos, err := supervisor.WhichChildren(ctx, c.sys, sup)
			if err != nil || len(infos) == 0 {
				return err
			}
			in := infos[c.rng.IntN(len(infos))]
			if in.PID.IsZero() {
				return nil
			}
			return supervisor.TerminateChildPID(ctx, c.sys, sup, in.PID)
		}, d)
	case r < 93:
		api("CountChildren", func(ctx context.Context, sup actor.PID) error {
			_, err := supervisor.CountChildren(ctx, c.sys, sup)
			return err
		}, leaf())
	default:
		c.stats.ops["populate"]++
		c.populate(8)
	}
}

func (c *chaos) isDynamic(leaf string) bool {
	_, ok := c.tr.dynKeys[leaf]
	return ok
}

// trip kills the running workers of one leaf again and again until it
// exceeds its intensity (it then gives up, or delays under Backoff).
func (c *chaos) trip(leaf string) {
	c.stats.ops["trip intensity"]++
	first, ok := c.whereis(leaf)
	if !ok {
		return
	}
	for range 40 {
		pid, ok := c.whereis(leaf)
		if !ok || pid != first {
			c.stats.trips++
			return
		}
		ctx, cancel := c.callCtx()
		infos, err := supervisor.WhichChildren(ctx, c.sys, pid)
		cancel()
		if err != nil {
			if !expected(err) {
				c.stats.fail("trip %s: WhichChildren: %v", leaf, err)
			}
			c.stats.trips++
			return
		}
		for _, in := range infos {
			if !in.PID.IsZero() && c.sys.Kill(in.PID) == nil {
				c.stats.injected++
			}
		}
	}
}

// soakResult is what a soak run reports.
type soakResult struct {
	seed         uint64
	cfg          soakConfig
	actors       int
	audit        audit
	otherDead    uint64
	crashes      int64 // chaos messages carried out by workers
	chaos        chaosStats
	events       *eventLog
	initErrors   []string
	killedInInit int // workers whose Init ran but whose spawn failed
	order        int64
	orderEx      string
	elapsed      time.Duration
	shutdown     time.Duration
	shutErr      error
	procsLeft    int
	deadTotal    uint64 // sys.DeadLetters()
	deadSeen     uint64 // dead letters seen on the event stream
	peakProcs    int
	aliveAtEnd   int // workers registered when the load stopped
	idsExhausted bool
	heapInUse    uint64 // when the load stopped
	sysMem       uint64
	workers      int
}

// runSoak builds the tree, runs load and chaos for cfg.duration, shuts the
// system down and returns the accounting. Everything it allocates is
// unreachable once it returns.
func runSoak(t *testing.T, seed uint64, cfg soakConfig) *soakResult {
	res := &soakResult{seed: seed, cfg: cfg}
	l := newLedger(cfg.maxIDs)
	rec := newRecorder()
	tr := buildTree(cfg, l, rec)
	sys := system.New()
	bg := context.Background()

	events := subscribeAll(sys, func(ev any) bool {
		switch ev.(type) {
		case actor.ProcessStarted, actor.ProcessExited, supervisor.ChildStarted, supervisor.ChildRestarted,
			supervisor.ChildExited, supervisor.GaveUp, supervisor.RestartFailed, supervisor.RestartDelayed,
			supervisor.ShutdownTimeout:
			return true
		}
		return false
	})
	letters := subscribeAll(sys, func(ev any) bool { _, ok := ev.(actor.DeadLetter); return ok })
	consumeCtx, stopConsuming := context.WithCancel(bg)
	defer stopConsuming()
	res.events = newEventLog()
	eventsDone, lettersDone := make(chan struct{}), make(chan struct{})
	go consume(consumeCtx, events, func(ev any) { res.events.add(ev, rec) }, eventsDone)
	go consume(consumeCtx, letters, func(ev any) {
		res.deadSeen++
		dl := ev.(actor.DeadLetter)
		if p, ok := dl.Message.(payload); ok {
			l.dead(p.id, dl.Reason)
		} else {
			res.otherDead++
		}
	}, lettersDone)

	root, err := sys.Spawn(tr.root, actor.WithName("root"), actor.WithInitTimeout(5*time.Minute))
	require.NoError(t, err, "seed %d: start the tree", seed)
	ch := &chaos{sys: sys, tr: tr, rng: rand.New(rand.NewPCG(seed, 0xc4a05)),
		stats: chaosStats{ops: map[string]int{}}, populated: map[string]actor.PID{}, added: map[string]map[int]bool{}}
	ch.populate(-1)
	require.Empty(t, ch.stats.unexpected, "seed %d: populating the dynamic leaves", seed)
	res.actors = sys.Processes()
	res.workers = tr.keys

	start := time.Now()
	loadCtx, stopLoad := context.WithTimeout(bg, cfg.duration)
	defer stopLoad()
	tick := make(chan struct{}, 1)
	var wg sync.WaitGroup
	for i := range cfg.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			for n := 1; loadCtx.Err() == nil; n++ {
				id, ok := l.take()
				if !ok {
					return
				}
				key := rng.IntN(tr.keys)
				name := workerName(key)
				msg := payload{id: id, sender: uint8(i)}
				var err error
				if pid, ok := sys.Whereis(name); ok {
					err = sys.SendContext(loadCtx, pid, msg)
				} else {
					err = sys.SendNamed(name, msg)
				}
				l.sent(id, key, err)
				if n%cfg.chaosEvery == 0 {
					select {
					case tick <- struct{}{}:
					default:
					}
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-loadCtx.Done():
				return
			case <-tick:
				ch.step(loadCtx)
				if p := sys.Processes(); p > res.peakProcs {
					res.peakProcs = p
				}
			}
		}
	}()
	wg.Wait()
	res.elapsed = time.Since(start)
	res.idsExhausted = l.next.Load() >= uint64(cfg.maxIDs)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.heapInUse, res.sysMem = ms.HeapAlloc, ms.Sys
	for k := range tr.keys {
		if _, ok := sys.Whereis(workerName(k)); ok {
			res.aliveAtEnd++
		}
	}
	require.True(t, sys.Alive(root), "seed %d: the root (Backoff) never gives up", seed)

	shutLimit := 20 * time.Second // bounded: a stuck process must fail the test, not hang it
	if long() {
		shutLimit = 5 * time.Minute
	}
	shutCtx, cancel := context.WithTimeout(bg, shutLimit)
	defer cancel()
	t0 := time.Now()
	res.shutErr = sys.Shutdown(shutCtx)
	res.shutdown = time.Since(t0)
	res.procsLeft = sys.Processes()
	res.deadTotal = sys.DeadLetters()
	stopConsuming()
	<-eventsDone
	<-lettersDone
	events.Close()
	letters.Close()

	res.audit = l.audit()
	res.crashes = rec.crashes.Load()
	res.chaos = ch.stats
	res.order = rec.order.Load()
	if p := rec.orderEx.Load(); p != nil {
		res.orderEx = *p
	}
	// Supervision events and real starts match one to one: every PID a
	// ChildStarted or ChildRestarted names was spawned (ProcessStarted) and
	// is named once; every worker that was spawned under a supervisor is
	// named by one. A worker whose Init ran but whose spawn then failed
	// (killed by name during Init) has neither.
	ev := res.events
	bad := func(format string, args ...any) {
		if len(res.initErrors) < 10 {
			res.initErrors = append(res.initErrors, fmt.Sprintf(format, args...))
		}
	}
	for pid, n := range ev.childEventPIDs {
		if n != 1 || !ev.started[pid] {
			bad("%v: named by %d ChildStarted/ChildRestarted events, ProcessStarted %v", pid, n, ev.started[pid])
		}
	}
	for pid, key := range rec.pidKey {
		switch {
		case ev.started[pid] && ev.childEventPIDs[pid] != 1:
			bad("worker %d (%v) started but named by %d supervision events", key, pid, ev.childEventPIDs[pid])
		case !ev.started[pid]:
			res.killedInInit++
		}
	}
	for k, n := range rec.inits {
		ck := childKey{k.parent, workerName(k.key)}
		if got := ev.childStarted[ck] + ev.childRestarted[ck]; got > n {
			bad("worker %d under %v: %d starts but %d ChildStarted+ChildRestarted events", k.key, k.parent, n, got)
		}
	}
	return res
}

// The chaos soak. A short run in `go test`; minutes with SOAK=1.
func TestSoakChaos(t *testing.T) {
	cfg := shortSoak()
	if long() {
		cfg = longSoak(t)
	}
	seed := soakSeed(t)
	t.Logf("seed %d (replay: SOAK_SEED=%d or -seed=%d)", seed, seed, seed)
	runtime.GC()
	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)

	res := runSoak(t, seed, cfg)

	a := res.audit
	ev := res.events
	crashes := res.crashes + int64(res.chaos.injected)
	t.Logf("seed %d: %d actors in the tree, %v of load and chaos (%d senders)", seed, res.actors, res.elapsed.Round(time.Millisecond), cfg.senders)
	t.Logf("messages: sent %d, handled %d, dead-lettered %d (%s); send errors %s; other dead letters %d",
		a.sent, a.handled, a.dead, byCode(a.deadBy), byCode(a.sendErrBy), res.otherDead)
	t.Logf("crashes injected %d (%d chaos messages carried out, %d kills/exits/stops), %d intensity trips; ops %v",
		crashes, res.crashes, res.chaos.injected, res.chaos.trips, res.chaos.ops)
	t.Logf("supervision: %d restarts, %d gave up, %d restart failures, %d delays, %d shutdown timeouts; processes started %d, exits %v",
		ev.restarts, ev.gaveUp, ev.restartFailed, ev.delayed, ev.shutdownTimeouts, len(ev.started), ev.exitReasons)
	t.Logf("shutdown %v, peak processes %d, workers alive at the end %d of %d, workers killed during Init %d; "+
		"at the end of the load: heap %.1f MiB, memory from the OS %.1f MiB; ledger full early: %v",
		res.shutdown.Round(time.Millisecond), res.peakProcs, res.aliveAtEnd, res.workers, res.killedInInit,
		mib(res.heapInUse), mib(res.sysMem), res.idsExhausted)

	why := fmt.Sprintf("seed %d; examples: %q", seed, a.examples)
	require.NoError(t, res.shutErr, "seed %d: shutdown", seed)
	require.Empty(t, res.chaos.unexpected, "seed %d: unexpected errors from the API under chaos", seed)
	require.Positive(t, a.sent, "seed %d: no load", seed)
	require.Zero(t, a.lost, "messages lost: %s", why)
	require.Zero(t, a.both, "messages both handled and dead-lettered: %s", why)
	require.Zero(t, a.duplicated, "messages handled or dead-lettered twice: %s", why)
	require.Zero(t, a.phantom, "messages never sent but seen: %s", why)
	require.Zero(t, a.sendErrNotDead, "a failed send without its dead letter: %s", why)
	require.Zero(t, a.reasonMismatch, "dead letter reason differs from the send error: %s", why)
	require.Zero(t, a.deadBy[codeOther], "dead letters with an unexpected reason: %s", why)
	require.Equal(t, a.sent, a.handled+a.dead, "seed %d: every message handled or dead-lettered once", seed)
	require.Equal(t, res.deadTotal, res.deadSeen, "seed %d: DeadLetters() and the dead letters published", seed)
	require.Zero(t, res.order, "seed %d: per-sender order violated: %s", seed, res.orderEx)
	require.Empty(t, ev.seqErrors, "seed %d: ChildRestarted counts are not each child's 1, 2, 3…", seed)
	require.Empty(t, res.initErrors, "seed %d: worker starts and supervision events disagree", seed)
	require.Positive(t, ev.restarts, "seed %d: chaos caused no restart", seed)
	require.Positive(t, crashes, "seed %d: no crash injected", seed)

	// Every process that started has exactly one recorded exit: after
	// Shutdown none lives.
	require.Zero(t, res.procsLeft, "seed %d: processes alive after shutdown", seed)
	var noExit, twice []actor.PID
	for pid := range ev.started {
		if ev.exited[pid] != 1 {
			noExit = append(noExit, pid)
		}
	}
	for pid, n := range ev.exited {
		if n > 1 {
			twice = append(twice, pid)
		}
	}
	require.Empty(t, noExit, "seed %d: started processes without exactly one ProcessExited", seed)
	require.Empty(t, twice, "seed %d: processes that exited twice", seed)
	res, ev = nil, nil // drop the bookkeeping before measuring the heap

	goleak.VerifyNone(t)
	runtime.GC()
	runtime.GC()
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	t.Logf("heap: %.1f MiB before, %.1f MiB after shutdown; goroutines after %d",
		mib(m0.HeapAlloc), mib(m1.HeapAlloc), runtime.NumGoroutine())
	require.Less(t, m1.HeapAlloc, m0.HeapAlloc+64<<20, "seed %d: heap did not return near its baseline", seed)
}

func byCode(counts [numCodes]uint64) string {
	s := ""
	for c, n := range counts {
		if n > 0 {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %d", codeNames[c], n)
		}
	}
	if s == "" {
		return "none"
	}
	return s
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// subscribeAll subscribes with room for every event a test causes before it
// reads them, so that none is dropped.
func subscribeAll(sys *system.System, filter func(any) bool) *system.Subscription {
	sub, err := sys.SubscribeBuffered(filter, 1<<22)
	if err != nil {
		panic(err)
	}
	return sub
}
