package router_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/router"
)

func routees(n int) []router.Routee {
	up := make([]router.Routee, n)
	for i := range up {
		up[i] = router.Routee{Slot: i, PID: actor.NewPID(1, uint64(i+1))}
	}
	return up
}

func noLoad(actor.PID) int { return 0 }

func pick(t *testing.T, p router.Policy, msg any, up []router.Routee, load func(actor.PID) int) int {
	t.Helper()
	to, err := p.Route(msg, up, load)
	require.NoError(t, err)
	require.Len(t, to, 1)
	return to[0].Slot
}

func TestRoundRobinIsExact(t *testing.T) {
	p, up := router.RoundRobin(), routees(4)
	var got []int
	for range 8 {
		got = append(got, pick(t, p, "m", up, noLoad))
	}
	require.Equal(t, []int{0, 1, 2, 3, 0, 1, 2, 3}, got)
}

func TestRandomIsWithinBound(t *testing.T) {
	p, up := router.Random(), routees(4)
	counts := make([]int, 4)
	const n = 40000
	for range n {
		counts[pick(t, p, "m", up, noLoad)]++
	}
	for i, c := range counts {
		// Each count is binomial(n, 1/4): mean 10,000, sd about 87; six
		// sd either side fails once in a few hundred million runs.
		require.InDelta(t, n/4, c, 520, "slot %d got %d of %d", i, c, n)
	}
}

func TestLeastLoadedPrefersTheIdle(t *testing.T) {
	p, up := router.LeastLoaded(), routees(3)
	load := map[actor.PID]int{up[0].PID: 5, up[1].PID: 0, up[2].PID: 2}
	for range 3 {
		require.Equal(t, 1, pick(t, p, "m", up, func(pid actor.PID) int { return load[pid] }))
	}
	idle := map[int]int{}
	for range 30 {
		idle[pick(t, p, "m", up, noLoad)]++
	}
	require.Equal(t, map[int]int{0: 10, 1: 10, 2: 10}, idle, "ties go round")
}

func TestBroadcastReachesAll(t *testing.T) {
	up := routees(3)
	to, err := router.Broadcast().Route("m", up, noLoad)
	require.NoError(t, err)
	require.Equal(t, up, to)
}

func TestConsistentHash(t *testing.T) {
	p, up := router.ConsistentHash(), routees(5)
	_, err := p.Route("no key", up, noLoad)
	require.ErrorIs(t, err, router.ErrNoKey)

	before := map[string]int{}
	spread := map[int]int{}
	for i := range 1000 {
		k := fmt.Sprint("key-", i)
		before[k] = pick(t, p, key(k), up, noLoad)
		require.Equal(t, before[k], pick(t, p, key(k), up, noLoad), "a key keeps its routee")
		spread[before[k]]++
	}
	for s, c := range spread {
		require.Greater(t, c, 100, "slot %d gets its share", s)
	}

	// Slot 2 restarted: a new PID, the same slot, the same keys.
	restarted := append([]router.Routee(nil), up...)
	restarted[2].PID = actor.NewPID(1, 99)
	// Slot 3 down: only its keys move.
	down := append(append([]router.Routee(nil), up[:3]...), up[4:]...)
	for k, s := range before {
		require.Equal(t, s, pick(t, p, key(k), restarted, noLoad))
		if s != 3 {
			require.Equal(t, s, pick(t, p, key(k), down, noLoad), "key %s moved", k)
		} else {
			require.NotEqual(t, 3, pick(t, p, key(k), down, noLoad))
		}
	}
}
