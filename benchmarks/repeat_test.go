package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// tellRun is one run of a tell as tellSet reports it, with the given rates.
func tellRun(chanRate, ringRate, rtRate float64) []Result {
	mk := func(impl string, rate float64) Result {
		return Result{Scenario: "tell-1to1", Impl: impl, Mailbox: 1024, N: 10, Senders: 1, MsgsPerSec: ptr(rate), Reps: 1}
	}
	rs := []Result{mk(implChan, chanRate), mk(implRing, ringRate), mk(implRuntime, rtRate)}
	addRatios(rs)
	return rs
}

func TestMerge(t *testing.T) {
	// The runtime's best run is not the one with its best ratio: the
	// ratios are taken within each run, then their median.
	runs := [][]Result{tellRun(10, 40, 20), tellRun(30, 30, 30), tellRun(20, 20, 50)}
	got, err := merge(runs)
	require.NoError(t, err)
	require.Len(t, got, 3)

	rt := got[2]
	require.Equal(t, implRuntime, rt.Impl)
	require.Equal(t, 3, rt.Reps)
	require.Equal(t, 10, rt.N, "N is the work of one run")
	require.Equal(t, 30.0, *rt.MsgsPerSec)
	require.Equal(t, &Spread{Of: "msgs_per_sec", Min: 20, Max: 50}, rt.Spread)
	require.Equal(t, 2.0, *rt.RatioVsChan, "median of 2, 1 and 2.5")
	require.Equal(t, 1.0, *rt.RatioVsRing, "median of 0.5, 1 and 2.5")
	require.Equal(t, "msgs_per_sec", rt.RatioOf)
	require.Equal(t, 20.0, *got[0].MsgsPerSec)
	require.Nil(t, got[0].RatioVsChan)
	require.Equal(t, &Spread{Of: "msgs_per_sec", Min: 20, Max: 40}, got[1].Spread)

	// The runs are left as they were.
	require.Equal(t, 20.0, *runs[0][2].MsgsPerSec)
	require.Nil(t, runs[0][2].Spread)
}

func TestMergeRefusesOtherLines(t *testing.T) {
	other := tellRun(1, 1, 1)
	other[1].Impl = implChan
	_, err := merge([][]Result{tellRun(1, 1, 1), other})
	require.ErrorContains(t, err, "run 2 reported other lines")
	_, err = merge([][]Result{tellRun(1, 1, 1), tellRun(1, 1, 1)[:2]})
	require.Error(t, err)
}

// Every metric of Result is a figure merge takes the median of: a metric
// missing from figures would report its first run's value.
func TestFiguresCoverEveryMetric(t *testing.T) {
	var r Result
	seen := map[uintptr]bool{}
	for _, f := range r.figures() {
		seen[reflect.ValueOf(f).Pointer()] = true
	}
	v := reflect.ValueOf(&r).Elem()
	for i := range v.NumField() {
		if v.Field(i).Type() != reflect.TypeFor[*float64]() {
			continue
		}
		require.True(t, seen[v.Field(i).Addr().Pointer()], "%s is not in figures", v.Type().Field(i).Name)
	}
}

func TestRingAndMemoryTargets(t *testing.T) {
	rt := func(scenario string, vsChan, vsRing float64) Result {
		return Result{Scenario: scenario, Impl: implRuntime, MsgsPerSec: ptr(1.0), RatioVsChan: ptr(vsChan), RatioVsRing: ptr(vsRing)}
	}
	rs := []Result{
		rt("tell-1to1", 1.7, 0.89),
		rt("tell-4to1", 1.2, 1.0),
		{Scenario: "supervision-memory", Impl: implRuntime, SupervisedBytesPerChild: ptr(1000.0),
			UnsupervisedBytesPerProcess: ptr(420.0), BytesPerChildBeyondProcess: ptr(580.0)},
	}
	verdicts := map[string]bool{}
	for _, c := range evaluate(rs) {
		verdicts[c.target] = c.met
	}
	want := map[string]bool{
		"tell-1to1 >= 1.6x chan msgs/s":                                       true,
		"tell-1to1 >= 0.9x ring msgs/s":                                       false,
		"tell-4to1 >= 1.0x chan msgs/s":                                       true,
		"tell-4to1 >= 1.0x ring msgs/s":                                       true,
		"supervision memory <= 128 B per supervised child beyond its process": false,
	}
	require.Equal(t, want, verdicts)
}

// With -count 3 every line is the median of three runs, inside its spread.
func TestExecuteCount(t *testing.T) {
	chosen, err := pickScenarios("tell-4to1,pingpong,supervision-memory")
	require.NoError(t, err)
	cfg := tinyConfig()
	cfg.count = 3
	var out, progress bytes.Buffer
	require.NoError(t, execute(cfg, chosen, true, &out, &progress))
	require.Contains(t, progress.String(), "3 run(s)")
	require.Contains(t, progress.String(), "tell-4to1 >= 1.0x ring msgs/s")
	require.Contains(t, progress.String(), "supervision memory <= 128 B per supervised child beyond its process")

	var got []Result
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var r Result
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "line %q", sc.Text())
		got = append(got, r)
	}
	require.Len(t, got, 7)
	for _, r := range got {
		require.Equal(t, 3, r.Reps)
		of, v := headline(r)
		require.NotNil(t, r.Spread, "%+v", r)
		require.Equal(t, of, r.Spread.Of)
		require.True(t, r.Spread.Min <= *v && *v <= r.Spread.Max, "%s %s: median %v outside %+v", r.Scenario, r.Impl, *v, *r.Spread)
	}
	for _, rt := range []Result{got[2], got[5]} {
		require.NotNil(t, rt.RatioVsChan, "%+v", rt)
		require.NotNil(t, rt.RatioVsRing, "%+v", rt)
	}
	require.NotNil(t, got[6].SupervisedBytesPerChild)
}
