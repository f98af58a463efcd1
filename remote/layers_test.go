package remote_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The core packages never import NATS: only this package and the programs
// above it do.
func TestCoreDoesNotImportNATS(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	for _, dir := range []string{"actor", "mailbox", "registry", "system", "supervisor", "router", "actortest"} {
		files, err := filepath.Glob(filepath.Join("..", dir, "*.go"))
		require.NoError(t, err)
		for _, path := range files {
			src, err := os.ReadFile(path)
			require.NoError(t, err)
			f, err := parser.ParseFile(fset, path, src, parser.ImportsOnly)
			require.NoError(t, err)
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				require.False(t, strings.Contains(p, "nats-io") || strings.HasSuffix(p, "/remote"), "%s imports %s", path, p)
			}
			checked++
		}
	}
	require.Greater(t, checked, 50)
}
