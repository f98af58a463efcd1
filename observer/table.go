package observer

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// Table is one page of the process table, sorted by a column, largest
// first (by PID: in spawn order).
type Table struct {
	Total  int    `json:"total"`
	Sort   string `json:"sort"`
	Offset int    `json:"offset"`
	Limit  int    `json:"limit"`
	Rows   []Row  `json:"rows"`
}

// Row is one process in a Table.
type Row struct {
	PID        string `json:"pid"`
	Name       string `json:"name,omitempty"`
	ID         string `json:"id,omitempty"` // its child ID, if supervised
	Actor      string `json:"actor"`
	Parent     string `json:"parent,omitempty"`
	Run        string `json:"run"`
	Callback   string `json:"callback,omitempty"`
	RunningMS  int64  `json:"running_ms,omitempty"`
	MailboxLen int    `json:"mailbox_len"`
	MailboxCap int    `json:"mailbox_cap"`
	Received   uint64 `json:"received"`
	// Restarts and State are its supervisor's view of it, if supervised.
	Restarts int    `json:"restarts"`
	State    string `json:"state,omitempty"`
	Links    int    `json:"links"`
	Monitors int    `json:"monitors"`
}

type tableQuery struct {
	sort          string
	offset, limit int
}

const maxTableLimit = 1000

func parseTableQuery(r *http.Request) (tableQuery, error) {
	v := r.URL.Query()
	q := tableQuery{sort: v.Get("sort"), limit: 25}
	switch q.sort {
	case "":
		q.sort = "mailbox"
	case "mailbox", "received", "restarts", "pid":
	default:
		return q, fmt.Errorf("observer: sort must be mailbox, received, restarts or pid; got %q", q.sort)
	}
	for _, f := range []struct {
		name string
		to   *int
		max  int
	}{{"offset", &q.offset, 1 << 40}, {"limit", &q.limit, maxTableLimit}} {
		s := v.Get(f.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > f.max {
			return q, fmt.Errorf("observer: %s must be a whole number from 0 to %d; got %q", f.name, f.max, s)
		}
		*f.to = n
	}
	return q, nil
}

// buildTable sorts snap's processes by q.sort and returns the page q asks
// for.
func buildTable(snap *system.Snapshot, q tableQuery) Table {
	ps := snap.Processes
	// view returns what p's supervisor knows of it: a search of its
	// parent's children, done only for the rows shown (or, sorting by
	// restarts, for all, through a map made once).
	var restarts map[actor.PID]int
	view := func(p *system.ProcessState) (supervisor.ChildView, bool) {
		if parent, ok := snap.Find(p.Parent); ok {
			if info, ok := parent.Description.(supervisor.Info); ok {
				for _, c := range info.Children {
					if c.PID == p.PID {
						return c, true
					}
				}
			}
		}
		return supervisor.ChildView{}, false
	}
	if q.sort == "restarts" {
		restarts = make(map[actor.PID]int)
		for i := range ps {
			if info, ok := ps[i].Description.(supervisor.Info); ok {
				for _, c := range info.Children {
					if !c.PID.IsZero() {
						restarts[c.PID] = c.Restarts
					}
				}
			}
		}
	}
	key := func(i int32) int64 {
		switch q.sort {
		case "mailbox":
			return int64(ps[i].MailboxLen)
		case "received":
			return int64(ps[i].Received)
		case "restarts":
			return int64(restarts[ps[i].PID])
		}
		return -int64(ps[i].PID.ID())
	}
	// before orders rows: the largest key first, then in PID order.
	before := func(a, b int32) bool {
		ka, kb := key(a), key(b)
		return ka > kb || ka == kb && a < b
	}
	idx := topK(len(ps), q.offset+q.limit, before)
	t := Table{Total: len(ps), Sort: q.sort, Offset: q.offset, Limit: q.limit, Rows: []Row{}}
	for _, i := range idx[min(q.offset, len(idx)):] {
		p := &ps[i]
		row := Row{PID: p.PID.String(), Name: p.Name, Actor: p.Actor, Run: p.State.String(), Callback: p.Callback,
			RunningMS: p.RunningFor.Milliseconds(), MailboxLen: p.MailboxLen, MailboxCap: p.MailboxCap,
			Received: p.Received, Links: len(p.Links), Monitors: len(p.Monitors)}
		if !p.Parent.IsZero() {
			row.Parent = p.Parent.String()
		}
		if c, ok := view(p); ok {
			row.ID, row.Restarts, row.State = c.ID, c.Restarts, c.State.String()
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// topK returns the first k of the indices 0..n-1 in the order before
// gives, in O(n log k) with a bounded heap, so that the first page of
// 100,000 processes does not sort them all.
func topK(n, k int, before func(a, b int32) bool) []int32 {
	k = min(k, n)
	if k <= 0 {
		return nil
	}
	// h is a heap whose root is the last of the k best so far.
	h := make([]int32, 0, k)
	less := func(i, j int) bool { return before(h[j], h[i]) } // root: the worst kept
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && less(r, l) {
				m = r
			}
			if !less(m, i) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := range int32(n) {
		switch {
		case len(h) < k:
			h = append(h, i)
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if !less(j, p) {
					break
				}
				h[j], h[p] = h[p], h[j]
				j = p
			}
		case before(i, h[0]):
			h[0] = i
			down(0)
		}
	}
	slices.SortFunc(h, func(a, b int32) int {
		if before(a, b) {
			return -1
		}
		return 1
	})
	return h
}
