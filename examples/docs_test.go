// Package examples_test checks that the documentation cannot drift from
// the code: every Go snippet in README.md and docs/ must be a verbatim copy
// of code that is compiled and run by the tests (an Example function or an
// example program), and must say which file it is from.
package examples_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// source matches a backquoted repository path to a Go file, as in
// "(From [`examples/hello/main.go`](../examples/hello/main.go).)".
var source = regexp.MustCompile("`([\\w./-]+\\.go)`")

func TestDocSnippetsAreCompiledCode(t *testing.T) {
	docs, err := filepath.Glob("../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, "../README.md", "README.md")
	snippets := 0
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		blocks := strings.Split(string(b), "```go\n")
		for i, block := range blocks[1:] {
			code, rest, ok := strings.Cut(block, "```")
			if !ok {
				t.Errorf("%s: Go snippet %d is not closed", doc, i+1)
				continue
			}
			snippets++
			// The source is named after the snippet, before the next one.
			m := source.FindStringSubmatch(rest)
			if m == nil {
				t.Errorf("%s: Go snippet %d does not say which file it is from:\n%s", doc, i+1, code)
				continue
			}
			src, err := os.ReadFile(filepath.Join("..", m[1]))
			if err != nil {
				t.Errorf("%s: Go snippet %d: %v", doc, i+1, err)
				continue
			}
			if !strings.Contains(string(src), code) {
				t.Errorf("%s: Go snippet %d is not a verbatim copy of code in %s:\n%s", doc, i+1, m[1], code)
			}
		}
	}
	if snippets == 0 {
		t.Fatal("no Go snippet found: wrong directory?")
	}
}
