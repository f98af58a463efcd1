package main

import (
	"fmt"
	"time"

	"github.com/airssys/rt/actor"
)

// config holds the sizes of one run.
type config struct {
	tellN     int           // messages in tell-1to1, tell-4to1 and each sweep point
	sweepN    int           // messages per mailbox-sweep point
	pingN     int           // round trips in pingpong
	spawnN    int           // actors in spawn
	signalN   int           // samples in link-exit and monitor-down
	restartN  int           // crash→restart cycles in restart
	siblingsN int           // crash→restart cycles per point of restart-siblings
	siblings  []int         // sibling counts of restart-siblings
	depths    []int         // tree depths of escalation
	escReps   int           // escalations per depth
	supN      int           // children of the supervisor in supervision-memory
	timerN    int           // processes, each with an armed periodic timer, in timers
	obsN      int           // idle children of the supervisor an observer page watches
	obsWindow time.Duration // observer: the window the unwatched system's CPU is measured over
	remoteN   int           // messages in remote-tell
	remoteReq int           // round trips in remote-request
	count     int           // runs of each scenario (-count): medians and spreads reported
	mailbox   int           // capacity of the actors outside the sweep
	sweep     []int         // capacities of mailbox-sweep
	timeout   time.Duration
}

// fullConfig is every scenario at full size, the size the targets are
// judged at.
func fullConfig() config {
	return config{
		tellN:     2_000_000,
		sweepN:    2_000_000,
		pingN:     200_000,
		spawnN:    100_000,
		signalN:   20_000,
		restartN:  20_000,
		siblingsN: 20_000,
		siblings:  []int{10, 100_000},
		depths:    []int{10, 100, 1000},
		escReps:   50,
		supN:      100_000,
		timerN:    10_000,
		obsN:      100_000,
		obsWindow: 20 * time.Second,
		remoteN:   200_000,
		remoteReq: 20_000,
		count:     5,
		mailbox:   actor.DefaultCapacity,
		sweep:     []int{64, 256, 1024, 4096},
		timeout:   5 * time.Minute,
	}
}

// quickConfig keeps every scenario and its shape (the same sibling counts
// and depths) at a tenth of the work, three runs each: the whole run in
// under 30 s.
func quickConfig() config {
	c := fullConfig()
	c.tellN, c.sweepN, c.pingN = 200_000, 200_000, 20_000
	c.spawnN, c.signalN = 20_000, 2_000
	c.restartN, c.siblingsN = 2_000, 2_000
	c.escReps, c.supN, c.count = 10, 10_000, 3
	c.obsWindow = 10 * time.Second
	c.remoteN, c.remoteReq = 50_000, 5_000
	return c
}

// tinyConfig is for tests: every code path, a few milliseconds each.
func tinyConfig() config {
	return config{
		tellN: 2_000, sweepN: 1_000, pingN: 200, spawnN: 200, signalN: 50,
		restartN: 50, siblingsN: 20, siblings: []int{10, 100}, depths: []int{3, 10},
		escReps: 3, supN: 1_000, timerN: 1_000, obsN: 1_000, obsWindow: 200 * time.Millisecond, count: 1, remoteN: 1_000, remoteReq: 100,
		mailbox: 64, sweep: []int{16, 64}, timeout: time.Minute,
	}
}

// scenario is one named measurement.
type scenario struct {
	name  string
	about func(c config) string
	run   func(c config) ([]Result, error)
}

func scenarios() []scenario {
	return []scenario{
		{"tell-1to1", func(c config) string { return fmt.Sprintf("n=%d mailbox=%d", c.tellN, c.mailbox) }, runTell1to1},
		{"tell-4to1", func(c config) string { return fmt.Sprintf("n=%d mailbox=%d", c.tellN, c.mailbox) }, runTell4to1},
		{"pingpong", func(c config) string { return fmt.Sprintf("n=%d round trips", c.pingN) }, runPingPong},
		{"spawn", func(c config) string { return fmt.Sprintf("n=%d idle actors", c.spawnN) }, runSpawn},
		{"link-exit", func(c config) string { return fmt.Sprintf("n=%d exits", c.signalN) }, runLinkExit},
		{"monitor-down", func(c config) string { return fmt.Sprintf("n=%d exits", c.signalN) }, runMonitorDown},
		{"mailbox-sweep", func(c config) string { return fmt.Sprintf("n=%d per point, mailbox=%v", c.sweepN, c.sweep) }, runSweep},
		{"restart", func(c config) string { return fmt.Sprintf("n=%d cycles, crash by panic", c.restartN) }, runRestart},
		{"restart-stop", func(c config) string { return fmt.Sprintf("n=%d cycles, crash by Stop(err)", c.restartN) }, runRestartStop},
		{"restart-siblings", func(c config) string {
			return fmt.Sprintf("n=%d cycles, siblings=%v", c.siblingsN, c.siblings)
		}, runRestartSiblings},
		{"escalation", func(c config) string { return fmt.Sprintf("%d per depth, depth=%v", c.escReps, c.depths) }, runEscalation},
		{"router", func(c config) string {
			return fmt.Sprintf("n=%d tells from 4 senders, %d requests; round-robin over %d routees", c.tellN, c.pingN, routees)
		}, runRouter},
		{"supervision-memory", func(c config) string {
			return fmt.Sprintf("n=%d idle children, and as many unsupervised", c.supN)
		}, runSupervisionMemory},
		{"metrics", func(c config) string {
			return fmt.Sprintf("tell-1to1 n=%d and restart n=%d, metrics off and on, 4 runs each (off, on, on, off, twice)", c.tellN, c.restartN)
		}, runMetrics},
		{"timers", func(c config) string {
			return fmt.Sprintf("n=%d processes, each with an armed SendInterval", c.timerN)
		}, runTimers},
		{"observer", func(c config) string {
			return fmt.Sprintf("n=%d idle children of one supervisor; %v unwatched, then a live page for %d updates", c.obsN, c.obsWindow, obsUpdates)
		}, runObserver},
		{"remote-tell", func(c config) string {
			return fmt.Sprintf("n=%d messages 1->1 across two nodes on one embedded NATS server, beside NATS publish->subscribe", c.remoteN)
		}, runRemoteTell},
		{"remote-request", func(c config) string {
			return fmt.Sprintf("n=%d round trips across two nodes, beside NATS request/reply", c.remoteReq)
		}, runRemoteRequest},
	}
}

func scenarioNames() []string {
	var out []string
	for _, s := range scenarios() {
		out = append(out, s.name)
	}
	return out
}
