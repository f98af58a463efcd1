package observer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// topK gives the first k of a full sort, ties in index order.
func TestTopKAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 7, 100, 1000} {
		for _, k := range []int{0, 1, 3, 25, 2000} {
			t.Run(fmt.Sprintf("n=%d k=%d", n, k), func(t *testing.T) {
				keys := make([]int, n)
				for i := range keys {
					keys[i] = r.IntN(10) // many ties
				}
				before := func(a, b int32) bool { return keys[a] > keys[b] || keys[a] == keys[b] && a < b }
				want := make([]int32, n)
				for i := range want {
					want[i] = int32(i)
				}
				slices.SortStableFunc(want, func(a, b int32) int { return keys[b] - keys[a] })
				got := topK(n, k, before)
				require.Equal(t, want[:min(k, n)], append([]int32{}, got...))
			})
		}
	}
}
