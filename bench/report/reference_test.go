package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReferenceDocs checks that every table the docs quote from the
// committed reference run is what that run's files give, so that a new
// reference run cannot leave a page stale. -update rewrites them.
func TestReferenceDocs(t *testing.T) {
	in, err := Read(filepath.Join("..", "..", "results", "reference"), filepath.Join("..", "scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "models", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no model pages: %v", err)
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tableOpen) {
			t.Errorf("%s: no %s ... %s block for the reference run", p, tableOpen, tableClose)
			continue
		}
		got, changed, err := RefreshTables(string(b), in)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		switch {
		case changed && *update:
			if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		case changed:
			t.Errorf("%s: its reference table is not what results/reference gives (go test ./bench/report -run ReferenceDocs -update rewrites it)", p)
		}
	}
}

func TestRefreshTablesUnclosed(t *testing.T) {
	if _, _, err := RefreshTables("a\n<!-- reference-table: epoll -->\nb\n", input()); err == nil {
		t.Fatal("an unclosed block must be an error, not a page cut short")
	}
}
