package registry_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/registry"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A send finds its process in the cache; Remove empties the entry, so the
// cache keeps no removed process alive, and a removed process is not found
// through the cache any more than through the table.
func TestCacheForgetsRemoved(t *testing.T) {
	r := registry.New[proc]()
	pid := actor.NewPID(1, 5)
	p := &proc{pid: pid, v: "x"}
	require.NoError(t, r.Add(p))
	got, ok := r.LookupCached(pid)
	require.True(t, ok)
	require.Same(t, p, got)
	require.Same(t, p, registry.Cached(r, pid), "the lookup filled the entry")

	other := actor.NewPID(1, 5+1024) // the same entry
	_, ok = r.LookupCached(other)
	require.False(t, ok, "an entry answers only for its own PID")

	r.Remove(pid)
	require.Nil(t, registry.Cached(r, pid), "Remove empties the entry")
	_, ok = r.LookupCached(pid)
	require.False(t, ok)
	require.Nil(t, registry.Cached(r, pid), "a miss does not fill the entry")
}

// Lookups racing Remove never leave the removed process in the cache: a
// lookup can fill the entry after Remove has emptied it, and must take it
// out again.
func TestCacheRacesRemove(t *testing.T) {
	r := registry.New[proc]()
	for i := range 2000 {
		pid := actor.NewPID(1, uint64(i+1))
		require.NoError(t, r.Add(&proc{pid: pid}))
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				for range 20 {
					r.LookupCached(pid)
				}
			})
		}
		r.Remove(pid)
		wg.Wait()
		require.Nil(t, registry.Cached(r, pid), "a removed process is still cached")
	}
}

func TestRegisterWhereisUnregister(t *testing.T) {
	r := registry.New[proc]()
	a, b := actor.NewPID(1, 1), actor.NewPID(1, 2)
	require.NoError(t, r.Add(&proc{pid: a, v: "a"}))
	require.NoError(t, r.Add(&proc{pid: b, v: "b"}))
	require.ErrorIs(t, r.Add(&proc{pid: a, v: "again"}), registry.ErrDuplicatePID)

	require.NoError(t, r.Register("db", a))
	require.NoError(t, r.Register("db", a), "re-registering one's own name is fine")
	err := r.Register("db", b)
	require.ErrorIs(t, err, registry.ErrNameTaken)
	require.ErrorIs(t, err, actor.ErrNameTaken)
	require.Contains(t, err.Error(), a.String())

	got, ok := r.Whereis("db")
	require.True(t, ok)
	require.Equal(t, a, got)
	require.Equal(t, []string{"db"}, r.Names(a))

	require.NoError(t, r.Unregister("db"))
	require.ErrorIs(t, r.Unregister("db"), registry.ErrNotRegistered)
	_, ok = r.Whereis("db")
	require.False(t, ok)
	require.Empty(t, r.Names(a))
	require.NoError(t, r.Register("db", b))
}

func TestBadInput(t *testing.T) {
	r := registry.New[proc]()
	pid := actor.NewPID(1, 7)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"empty name", r.Register("", pid), registry.ErrEmptyName},
		{"unknown pid", r.Register("x", pid), registry.ErrNoProcess},
		{"unregister unknown", r.Unregister("nobody"), registry.ErrNotRegistered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { require.ErrorIs(t, tt.err, tt.want) })
	}
	_, ok := r.Whereis("x")
	require.False(t, ok, "a failed registration leaves no name behind")
}

func TestRemoveReleasesNames(t *testing.T) {
	r := registry.New[proc]()
	pid := actor.NewPID(1, 1)
	require.NoError(t, r.Add(&proc{pid: pid, v: 1}))
	require.NoError(t, r.Register("a", pid))
	require.NoError(t, r.Register("b", pid))
	v, names, ok := r.Remove(pid)
	require.True(t, ok)
	require.Equal(t, 1, v.v)
	require.ElementsMatch(t, []string{"a", "b"}, names)
	for _, n := range []string{"a", "b"} {
		_, ok := r.Whereis(n)
		require.False(t, ok, n)
	}
	_, _, ok = r.Remove(pid)
	require.False(t, ok)
	require.Equal(t, 0, r.Len())
}

// Registration racing removal never leaves a name held by a dead PID, and
// two processes racing for one name never both get it.
func TestRegisterRacesRemove(t *testing.T) {
	r := registry.New[proc]()
	for i := range 2000 {
		p1, p2 := actor.NewPID(1, uint64(2*i+1)), actor.NewPID(1, uint64(2*i+2))
		require.NoError(t, r.Add(&proc{pid: p1, v: 0}))
		require.NoError(t, r.Add(&proc{pid: p2, v: 0}))
		name := fmt.Sprint("n", i)
		var wg sync.WaitGroup
		var e1, e2 error
		wg.Add(3)
		go func() { defer wg.Done(); e1 = r.Register(name, p1) }()
		go func() { defer wg.Done(); e2 = r.Register(name, p2) }()
		go func() { defer wg.Done(); r.Remove(p1) }()
		wg.Wait()
		if e1 == nil && e2 == nil {
			// Legal only in sequence: p1 held the name, was removed, then
			// p2 took it.
			holder, _ := r.Whereis(name)
			require.Equal(t, p2, holder)
		}
		holder, ok := r.Whereis(name)
		if ok {
			_, alive := r.Lookup(holder)
			require.True(t, alive, "%s held by removed %v", name, holder)
		}
		r.Remove(p2)
		_, ok = r.Whereis(name)
		require.False(t, ok)
	}
}

func TestOneWinnerPerName(t *testing.T) {
	r := registry.New[proc]()
	const n = 8
	for i := range n {
		require.NoError(t, r.Add(&proc{pid: actor.NewPID(1, uint64(i+1)), v: i}))
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = r.Register("leader", actor.NewPID(1, uint64(i+1))) }()
	}
	wg.Wait()
	winners := 0
	for _, err := range errs {
		if err == nil {
			winners++
		} else {
			require.ErrorIs(t, err, registry.ErrNameTaken)
		}
	}
	require.Equal(t, 1, winners)
}

func ExampleRegistry() {
	r := registry.New[proc]()
	pid := actor.NewPID(1, 42)
	_ = r.Add(&proc{pid: pid, v: "worker"})
	_ = r.Register("db", pid)
	got, _ := r.Whereis("db")
	fmt.Println(got)
	r.Remove(pid)
	_, ok := r.Whereis("db")
	fmt.Println(ok)
	// Output:
	// <1.42>
	// false
}
