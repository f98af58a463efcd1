// Command mailbox-tuning runs one workload — a producer and a consumer four
// times slower — with several mailbox capacities and overflow policies, and
// prints what each costs: how long the producer took, how many messages
// were handled, how many were dropped. See docs/mailboxes.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

func main() {
	var cfg config
	flag.IntVar(&cfg.messages, "n", 20000, "messages sent per run")
	flag.IntVar(&cfg.work, "work", 200, "units of work per message in the consumer (makes it slower than the producer)")
	flag.Parse()
	cfg.capacities = []int{16, 256, 4096}
	cfg.policies = []mailbox.Policy{mailbox.Backpressure, mailbox.DropNewest, mailbox.DropOldest}
	if err := run(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "mailbox-tuning:", err)
		os.Exit(1)
	}
}

type config struct {
	messages   int
	work       int
	capacities []int
	policies   []mailbox.Policy
}

// result is one run of the workload.
type result struct {
	policy   mailbox.Policy
	capacity int
	sent     int
	handled  int
	dropped  int
	newest   int           // sequence number of the last message handled
	produce  time.Duration // until the producer had sent everything
	total    time.Duration // until the consumer had handled everything it got
}

// consumer does some work per message. It traps exits, so the exit signal
// Shutdown from System.Stop arrives as an Exit message queued after
// everything sent before it (and never dropped, whatever the policy): Stop
// returns once the backlog is handled.
type consumer struct {
	work    int
	handled int
	newest  int
	sum     uint64
}

func (c *consumer) Init(ctx actor.Context) error {
	ctx.TrapExit(true)
	return nil
}

func (c *consumer) Receive(ctx actor.Context, msg any) {
	seq, ok := msg.(int)
	if !ok {
		if exit, ok := msg.(actor.Exit); ok {
			ctx.Stop(exit.Reason) // the backlog is handled: now stop
		}
		return
	}
	c.sum += busy(seq, c.work)
	c.handled++
	c.newest = seq
}

// busy stands for real work: units rounds of hashing.
func busy(seq, units int) uint64 {
	h := fnv.New64a()
	for i := range units {
		_, _ = h.Write([]byte{byte(seq), byte(i)})
	}
	return h.Sum64()
}

// measure runs the workload once against a mailbox of the given shape.
func measure(ctx context.Context, sys *system.System, cfg config, capacity int, policy mailbox.Policy) (result, error) {
	r := result{policy: policy, capacity: capacity, sent: cfg.messages}
	c := &consumer{work: cfg.work}
	pid, err := sys.Spawn(c, actor.WithMailbox(capacity, policy))
	if err != nil {
		return r, err
	}
	lettersBefore := sys.DeadLetters()
	start := time.Now()
	var sum uint64
	for seq := range cfg.messages {
		sum += busy(seq, cfg.work/4) // the producer works 4 times faster than the consumer
		// Under Backpressure SendContext waits for room; under DropNewest
		// a full mailbox refuses the message with ErrMailboxFull; under
		// DropOldest the oldest queued message makes room.
		if err := sys.SendContext(ctx, pid, seq); err != nil && !errors.Is(err, actor.ErrMailboxFull) {
			return r, err
		}
	}
	r.produce = time.Since(start)
	_ = sum
	if err := sys.Stop(ctx, pid); err != nil {
		return r, err
	}
	r.total = time.Since(start)
	// Stop has returned: the consumer has exited and its fields are ours.
	r.handled, r.newest = c.handled, c.newest
	// Every message not handled is a dead letter: refused (DropNewest) or
	// evicted (DropOldest).
	r.dropped = int(sys.DeadLetters() - lettersBefore)
	return r, nil
}

func run(w io.Writer, cfg config) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sys := system.New()
	defer sys.Shutdown(ctx)

	fmt.Fprintf(w, "%d messages from a producer to a consumer 4 times slower, per mailbox shape:\n\n", cfg.messages)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "policy\tcapacity\thandled\tdropped\tnewest handled\tproducer time\ttotal time\thandled/s\t")
	for _, policy := range cfg.policies {
		for _, capacity := range cfg.capacities {
			r, err := measure(ctx, sys, cfg, capacity, policy)
			if err != nil {
				return fmt.Errorf("%v, capacity %d: %w", policy, capacity, err)
			}
			if r.handled+r.dropped != r.sent {
				return fmt.Errorf("%v, capacity %d: %d handled + %d dropped != %d sent", policy, capacity, r.handled, r.dropped, r.sent)
			}
			fmt.Fprintf(tw, "%v\t%d\t%d\t%d\t%d\t%v\t%v\t%.0f\t\n", r.policy, r.capacity, r.handled, r.dropped, r.newest,
				r.produce.Round(time.Microsecond), r.total.Round(time.Microsecond), float64(r.handled)/r.total.Seconds())
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprint(w, `
backpressure: nothing is lost; the producer is slowed to the consumer's pace.
drop-newest:  the producer never waits; what does not fit is refused (Send returns ErrMailboxFull).
drop-oldest:  the producer never waits; the consumer always ends on the newest messages.
Every dropped message is a dead letter, counted by sys.DeadLetters().
`)
	return sys.Shutdown(ctx)
}
