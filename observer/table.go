package observer

import (
	"cmp"
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
	type sv struct {
		id       string
		restarts int
		state    supervisor.Life
	}
	byPID := make(map[actor.PID]sv)
	for i := range snap.Processes {
		if info, ok := snap.Processes[i].Description.(supervisor.Info); ok {
			for _, c := range info.Children {
				if !c.PID.IsZero() {
					byPID[c.PID] = sv{c.ID, c.Restarts, c.State}
				}
			}
		}
	}
	idx := make([]int32, len(snap.Processes))
	for i := range idx {
		idx[i] = int32(i)
	}
	ps := snap.Processes
	key := func(i int32) int64 {
		switch q.sort {
		case "mailbox":
			return int64(ps[i].MailboxLen)
		case "received":
			return int64(ps[i].Received)
		case "restarts":
			return int64(byPID[ps[i].PID].restarts)
		}
		return -int64(ps[i].PID.ID())
	}
	if q.sort != "pid" {
		slices.SortStableFunc(idx, func(a, b int32) int { return cmp.Compare(key(b), key(a)) })
	}
	t := Table{Total: len(ps), Sort: q.sort, Offset: q.offset, Limit: q.limit, Rows: []Row{}}
	for _, i := range idx[min(q.offset, len(idx)):min(q.offset+q.limit, len(idx))] {
		p := &ps[i]
		row := Row{PID: p.PID.String(), Name: p.Name, Actor: p.Actor, Run: p.State.String(), Callback: p.Callback,
			RunningMS: p.RunningFor.Milliseconds(), MailboxLen: p.MailboxLen, MailboxCap: p.MailboxCap,
			Received: p.Received, Links: len(p.Links), Monitors: len(p.Monitors)}
		if !p.Parent.IsZero() {
			row.Parent = p.Parent.String()
		}
		if s, ok := byPID[p.PID]; ok {
			row.ID, row.Restarts, row.State = s.id, s.restarts, s.state.String()
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
