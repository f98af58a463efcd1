package observer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteText writes t as an indented tree, one node a line, in the manner
// of the tree command: the node's label (its child ID, else its name,
// else its actor type), PID, kind, a supervisor's strategy, intensity and
// escalation, its state, restarts and last exit, and its mailbox fill.
func WriteText(w io.Writer, t *Tree) error {
	bw := bufio.NewWriter(w)
	for _, n := range t.Roots {
		writeTextNode(bw, n, "", "")
	}
	return bw.Flush()
}

func writeTextNode(w *bufio.Writer, n *Node, first, rest string) {
	w.WriteString(first)
	w.WriteString(nodeLine(n))
	w.WriteByte('\n')
	for i, c := range n.Children {
		if i == len(n.Children)-1 && n.More == 0 {
			writeTextNode(w, c, rest+"└── ", rest+"    ")
		} else {
			writeTextNode(w, c, rest+"├── ", rest+"│   ")
		}
	}
	if n.More > 0 {
		fmt.Fprintf(w, "%s└── … %d more\n", rest, n.More)
	}
}

// label is how a node is named in the text and DOT forms.
func (n *Node) label() string {
	switch {
	case n.ID != "":
		return n.ID
	case n.Name != "":
		return n.Name
	case n.Actor != "":
		return n.Actor
	}
	return "?"
}

func nodeLine(n *Node) string {
	var b strings.Builder
	b.WriteString(n.label())
	if n.PID != "" {
		b.WriteString(" " + n.PID)
	}
	b.WriteString(" " + n.Kind)
	if n.Strategy != "" {
		fmt.Fprintf(&b, " %s %d/%s %s", n.Strategy, n.Intensity, n.Period, n.Escalation)
	}
	b.WriteString("  " + n.State)
	if n.Breaker != "" {
		b.WriteString("  breaker " + n.Breaker)
	}
	if n.Restarts > 0 {
		fmt.Fprintf(&b, "  restarts %d", n.Restarts)
	}
	if n.PID != "" {
		fmt.Fprintf(&b, "  mailbox %d/%d", n.MailboxLen, n.MailboxCap)
		if n.Callback != "" {
			fmt.Fprintf(&b, "  in %s %dms", n.Callback, n.RunningMS)
		}
	}
	if n.LastExit != "" {
		b.WriteString("  last exit: " + strconv.Quote(n.LastExit))
	}
	return b.String()
}

// WriteJSON writes t as indented JSON, in the schema of Tree and Node.
func WriteJSON(w io.Writer, t *Tree) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(t)
}

// DOTOptions shape WriteDOT. The zero value draws the tree alone.
type DOTOptions struct {
	// Links draws links and monitors as dashed edges; the tree must have
	// been built with TreeOptions.Links.
	Links bool
}

// WriteDOT writes t as a Graphviz digraph: supervisors as boxes, workers
// as ellipses, a node filled red when failed, amber when restarting or
// starting, grey when stopped; the supervision edges solid and, with
// opts.Links, links (undirected; not between a node and its parent,
// whose solid edge stands for the link) and monitors (to the monitored
// process) dashed.
func WriteDOT(w io.Writer, t *Tree, opts DOTOptions) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("digraph supervision {\n\trankdir=TB;\n\tnode [fontname=\"Helvetica\" fontsize=10];\n")
	seq := 0
	ids := map[string]string{}    // PID to node ID, for the dashed edges
	edges := map[[2]string]bool{} // the tree's edges, by PID: their links are not drawn again
	var walk func(n *Node, parent string)
	var dashed []string
	walk = func(n *Node, parent string) {
		seq++
		id := "n" + strconv.Itoa(seq)
		if n.PID != "" {
			ids[n.PID] = id
		}
		shape := "ellipse"
		if n.Kind == "supervisor" {
			shape = "box"
		}
		label := n.label()
		if n.PID != "" {
			label += "\\n" + n.PID
		}
		if n.Strategy != "" {
			label += "\\n" + n.Strategy
		}
		if n.State != "running" {
			label += "\\n" + n.State
		}
		if n.Breaker != "" {
			label += "\\nbreaker " + n.Breaker
		}
		if n.Restarts > 0 {
			label += "\\nrestarts " + strconv.Itoa(n.Restarts)
		}
		attrs := fmt.Sprintf("label=%s shape=%s", dotQuote(label), shape)
		switch n.State {
		case "failed":
			attrs += ` style=filled fillcolor="#f4b6b6"`
		case "restarting", "starting", "stopping":
			attrs += ` style=filled fillcolor="#fbe3a4"`
		case "stopped":
			attrs += ` style=filled fillcolor="#e0e0e0"`
		}
		fmt.Fprintf(bw, "\t%s [%s];\n", id, attrs)
		if parent != "" {
			fmt.Fprintf(bw, "\t%s -> %s;\n", parent, id)
		}
		if opts.Links {
			for _, l := range n.Links {
				if n.PID < l { // each link once
					dashed = append(dashed, fmt.Sprintf("%s\x00%s\x00link", n.PID, l))
				}
			}
			for _, m := range n.Monitors {
				dashed = append(dashed, fmt.Sprintf("%s\x00%s\x00monitor", n.PID, m))
			}
		}
		for _, c := range n.Children {
			if n.PID != "" && c.PID != "" {
				edges[[2]string{n.PID, c.PID}], edges[[2]string{c.PID, n.PID}] = true, true
			}
			walk(c, id)
		}
		if n.More > 0 {
			seq++
			more := "n" + strconv.Itoa(seq)
			fmt.Fprintf(bw, "\t%s [label=%s shape=plaintext];\n\t%s -> %s [style=dotted];\n",
				more, dotQuote(fmt.Sprintf("… %d more", n.More)), id, more)
		}
	}
	for _, n := range t.Roots {
		walk(n, "")
	}
	for _, d := range dashed {
		f := strings.Split(d, "\x00")
		from, ok1 := ids[f[0]]
		to, ok2 := ids[f[1]]
		if !ok1 || !ok2 {
			continue // a process left out of the tree
		}
		if f[2] == "link" && edges[[2]string{f[0], f[1]}] {
			continue // a supervision edge already joins them
		}
		if f[2] == "link" {
			fmt.Fprintf(bw, "\t%s -> %s [style=dashed dir=none color=\"#1f6fb2\" constraint=false];\n", from, to)
		} else {
			fmt.Fprintf(bw, "\t%s -> %s [style=dashed color=\"#7a4fb2\" constraint=false label=\"monitor\"];\n", from, to)
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

func dotQuote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
