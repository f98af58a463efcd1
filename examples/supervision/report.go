package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// Summary is what the demo saw, all of it from the system's event stream.
type Summary struct {
	Duration time.Duration // of the load
	Seed     uint64

	// Messages handled, from the workers' domain events.
	Orders, Payments, Fallbacks, Quotes int
	// Crashes are abnormal exits of workers: panics and errors.
	Panics, Errors int
	// Restarts counts restarts per child, by path in the tree
	// ("shop/gateway/fx-api"), over every incarnation of its supervisor.
	Restarts map[string]int
	// Escalations lists the supervisors that gave up.
	Escalations []Escalation
	// DeadLetters counts undeliverable messages by reason.
	DeadLetters map[string]int
	// LostToCrashes counts the messages whose handler crashed: they were
	// received, not handled to the end, and (as in Erlang) not retried.
	LostToCrashes uint64
	// Tree is the final supervision tree, from supervisor.WhichChildren.
	Tree string
}

// Escalation is a supervisor that exceeded its restart intensity.
type Escalation struct {
	Supervisor string // its path
	Child      string // the child whose exit was one restart too many
	Reason     error  // the supervisor's exit reason
	// RestartedBy is the path of the parent that restarted it, or "".
	RestartedBy string
}

// Crashes is the number of abnormal worker exits.
func (s Summary) Crashes() int { return s.Panics + s.Errors }

// TotalRestarts adds up Restarts.
func (s Summary) TotalRestarts() int {
	n := 0
	for _, r := range s.Restarts {
		n += r
	}
	return n
}

// TotalDeadLetters adds up DeadLetters.
func (s Summary) TotalDeadLetters() int {
	n := 0
	for _, r := range s.DeadLetters {
		n += r
	}
	return n
}

// isReported selects the events the collector reads.
func isReported(ev any) bool {
	switch ev.(type) {
	case orderAccepted, paymentSettled, quoteServed, actor.DeadLetter, actor.ProcessStarted,
		supervisor.ChildStarted, supervisor.ChildExited, supervisor.ChildRestarted, supervisor.GaveUp:
		return true
	}
	return false
}

// gaveUp records a supervisor that gave up, and the parent that restarted it.
type gaveUp struct {
	sup   actor.PID
	child string
	why   error
	by    actor.PID
}

// collector turns events into a Summary. It runs on run's goroutine only.
type collector struct {
	sum Summary
	// Who is who: a PID's name (registered, or its child ID) and its
	// supervisor. PIDs are never reused, so this stays true.
	label  map[actor.PID]string
	parent map[actor.PID]actor.PID
	// Restarts and escalations are recorded by PID and resolved to paths
	// at the end: a child supervisor's own events come before its
	// parent's ChildStarted.
	restarts   []actor.PID // the new PID of each restarted child
	gaveUp     []gaveUp
	escalating map[actor.PID]int // supervisor PID -> index in gaveUp, until restarted
	poolRefill bool              // payments was restarted: its pool is empty
}

func newCollector(cfg Config) *collector {
	return &collector{
		sum: Summary{
			Seed:        cfg.Seed,
			DeadLetters: map[string]int{},
		},
		label:      map[actor.PID]string{},
		parent:     map[actor.PID]actor.PID{},
		escalating: map[actor.PID]int{},
	}
}

// drain reads every event queued on sub, without waiting.
func (c *collector) drain(sub *system.Subscription) {
	for ev, ok := sub.TryNext(); ok; ev, ok = sub.TryNext() {
		c.add(ev)
	}
}

func (c *collector) add(ev any) {
	switch ev := ev.(type) {
	case orderAccepted:
		c.sum.Orders++
	case paymentSettled:
		c.sum.Payments++
		if ev.Fallback {
			c.sum.Fallbacks++
		}
	case quoteServed:
		c.sum.Quotes++
	case actor.DeadLetter:
		c.sum.DeadLetters[deadLetterReason(ev.Reason)]++
	case actor.ProcessStarted:
		if ev.Name != "" {
			c.label[ev.PID] = ev.Name
		}
	case supervisor.ChildStarted:
		c.adopt(ev.Supervisor, ev.ID, ev.PID)
	case supervisor.ChildRestarted:
		c.adopt(ev.Supervisor, ev.ID, ev.PID)
		c.restarts = append(c.restarts, ev.PID)
		if ev.ID == "payments" {
			c.poolRefill = true
		}
	case supervisor.ChildExited:
		var limit *supervisor.RestartLimitExceeded
		switch {
		case actor.IsClean(ev.Reason):
		case errors.As(ev.Reason, &limit):
			// A child supervisor escalated; its GaveUp came first.
		case errors.As(ev.Reason, new(*actor.PanicError)):
			c.sum.Panics++
		default:
			c.sum.Errors++
		}
	case supervisor.GaveUp:
		c.escalating[ev.Supervisor] = len(c.gaveUp)
		c.gaveUp = append(c.gaveUp, gaveUp{sup: ev.Supervisor, child: ev.ID, why: ev.Reason})
	}
}

// adopt records that pid is child id of sup, and notes who restarted an
// escalated supervisor.
func (c *collector) adopt(sup actor.PID, id string, pid actor.PID) {
	if _, named := c.label[pid]; !named {
		c.label[pid] = id
	}
	c.parent[pid] = sup
	for old, i := range c.escalating {
		if c.parent[old] == sup && c.label[old] == c.label[pid] {
			c.gaveUp[i].by = sup
			delete(c.escalating, old)
		}
	}
}

// path names pid by its place in the tree: "shop/payments/payment-2".
func (c *collector) path(pid actor.PID) string {
	name, ok := c.label[pid]
	if !ok {
		name = pid.String()
	}
	if up, ok := c.parent[pid]; ok {
		return c.path(up) + "/" + name
	}
	return name
}

// summary resolves what was recorded by PID into paths.
func (c *collector) summary() Summary {
	s := c.sum
	s.DeadLetters = maps.Clone(c.sum.DeadLetters)
	s.Restarts = make(map[string]int)
	for _, pid := range c.restarts {
		s.Restarts[c.path(pid)]++
	}
	s.Escalations = nil
	for _, g := range c.gaveUp {
		e := Escalation{Supervisor: c.path(g.sup), Child: g.child, Reason: g.why}
		if !g.by.IsZero() {
			e.RestartedBy = c.path(g.by)
		}
		s.Escalations = append(s.Escalations, e)
	}
	return s
}

func deadLetterReason(err error) string {
	switch {
	case errors.Is(err, actor.ErrNoProcess):
		return "no such process"
	case errors.Is(err, actor.ErrMailboxFull):
		return "mailbox full"
	case errors.Is(err, actor.ErrDroppedOldest):
		return "dropped as oldest"
	case errors.Is(err, actor.ErrStopped):
		return "system stopped"
	}
	return err.Error()
}

// tree renders the supervision tree under root, walking
// supervisor.WhichChildren down every child supervisor. notes, if given,
// annotates the first child of each ID.
func (c *collector) tree(ctx context.Context, sys *system.System, root actor.PID, notes map[string]string) string {
	lines := []treeLine{{text: fmt.Sprintf("%s %v", c.path(root), root), id: c.path(root)}}
	lines = c.walk(ctx, sys, root, "", lines)
	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(l.text))
	}
	var b strings.Builder
	for _, l := range lines {
		note, ok := notes[l.id]
		if !ok {
			fmt.Fprintln(&b, l.text)
			continue
		}
		delete(notes, l.id)
		fmt.Fprintf(&b, "%s%s   %s\n", l.text, strings.Repeat(" ", width-utf8.RuneCountInString(l.text)), note)
	}
	return b.String()
}

type treeLine struct{ text, id string }

func (c *collector) walk(ctx context.Context, sys *system.System, sup actor.PID, indent string, lines []treeLine) []treeLine {
	kids, err := supervisor.WhichChildren(ctx, sys, sup)
	if err != nil {
		return append(lines, treeLine{text: fmt.Sprintf("%s└── (%v)", indent, err)})
	}
	for i, k := range kids {
		branch, next := "├── ", "│   "
		if i == len(kids)-1 {
			branch, next = "└── ", "    "
		}
		name := k.ID
		if l, ok := c.label[k.PID]; ok {
			name = l
		}
		line := treeLine{id: k.ID}
		switch {
		case k.Restarting:
			line.text = fmt.Sprintf("%s%s%s (restarting)", indent, branch, name)
		case k.PID.IsZero():
			line.text = fmt.Sprintf("%s%s%s (stopped)", indent, branch, name)
		default:
			line.text = fmt.Sprintf("%s%s%s %v", indent, branch, name, k.PID)
		}
		lines = append(lines, line)
		if k.Kind == supervisor.Supervisor && !k.PID.IsZero() {
			lines = c.walk(ctx, sys, k.PID, indent+next, lines)
		}
	}
	return lines
}

// print writes the summary for people.
func (s Summary) print(w io.Writer) {
	fmt.Fprintf(w, "\n=== Summary: %v of load, seed %d ===\n\n", s.Duration, s.Seed)
	fmt.Fprintln(w, "Messages handled")
	fmt.Fprintf(w, "  orders accepted        %6d\n", s.Orders)
	fmt.Fprintf(w, "  payments settled       %6d  (%d with a cached rate: fx-api was down)\n", s.Payments, s.Fallbacks)
	fmt.Fprintf(w, "  exchange rates served  %6d\n", s.Quotes)
	fmt.Fprintf(w, "\nWorker crashes: %d (%d panics, %d errors)\n", s.Crashes(), s.Panics, s.Errors)
	fmt.Fprintf(w, "  messages lost in a crashing handler %d (received, not retried)\n", s.LostToCrashes)

	fmt.Fprintf(w, "\nRestarts per child: %d\n", s.TotalRestarts())
	for _, p := range slices.Sorted(maps.Keys(s.Restarts)) {
		fmt.Fprintf(w, "  %-26s %3d\n", p, s.Restarts[p])
	}

	fmt.Fprintf(w, "\nEscalations: %d\n", len(s.Escalations))
	for _, e := range s.Escalations {
		fmt.Fprintf(w, "  %s gave up: its child %s needed one restart too many.\n", e.Supervisor, e.Child)
		fmt.Fprintf(w, "    exit reason: %v\n", e.Reason)
		if e.RestartedBy != "" {
			fmt.Fprintf(w, "    %s restarted it, and so the whole subtree under it\n", e.RestartedBy)
		} else {
			fmt.Fprintf(w, "    it was not restarted (yet)\n")
		}
	}

	fmt.Fprintf(w, "\nDead letters: %d\n", s.TotalDeadLetters())
	for _, r := range slices.Sorted(maps.Keys(s.DeadLetters)) {
		fmt.Fprintf(w, "  %-26s %3d\n", r, s.DeadLetters[r])
	}
	fmt.Fprintf(w, "\nFinal tree\n%s", s.Tree)
}
