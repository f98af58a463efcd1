package pidmap

// Probes returns the mean and the longest distance of m's entries from the
// place their PID asks for: how many slots a lookup reads beyond the first.
func Probes[V any](m *Map[V]) (mean float64, longest int) {
	if m.n == 0 {
		return 0, 0
	}
	mask := uint64(len(m.slots) - 1)
	total := 0
	for i, s := range m.slots {
		if s.k == 0 {
			continue
		}
		d := int((uint64(i) - home(s.k)) & mask)
		total += d
		longest = max(longest, d)
	}
	return float64(total) / float64(m.n), longest
}

// Slots returns the size of m's table.
func Slots[V any](m *Map[V]) int { return len(m.slots) }
