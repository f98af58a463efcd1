package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// supervision-memory reports the supervised and the unsupervised bytes,
// and their difference as its headline.
func TestSupervisionMemory(t *testing.T) {
	rs, err := runSupervisionMemory(tinyConfig())
	require.NoError(t, err)
	require.Len(t, rs, 1)
	r := rs[0]
	require.Equal(t, tinyConfig().supN, r.N)
	require.NotNil(t, r.SupervisedBytesPerChild)
	require.NotNil(t, r.UnsupervisedBytesPerProcess)
	require.Positive(t, *r.UnsupervisedBytesPerProcess)
	require.Greater(t, *r.SupervisedBytesPerChild, *r.UnsupervisedBytesPerProcess, "a supervised child holds its process and more")
	require.InDelta(t, *r.SupervisedBytesPerChild-*r.UnsupervisedBytesPerProcess, *r.BytesPerChildBeyondProcess, 1e-9)
	of, _ := headline(r)
	require.Equal(t, "bytes_per_child_beyond_process", of)
}
