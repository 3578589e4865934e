package cli

import (
	"flag"
	"strings"
	"testing"
)

func flags() (*flag.FlagSet, *Groups) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.String("models", "", "the models")
	fs.Int("repeats", 0, "repeats")
	fs.String("shard", "", "i/N: one shard")
	fs.String("start-at", "", "a common start")
	g := New(fs)
	g.Group("shards", "splitting one attack over generators", "shard", "start-at")
	return fs, g
}

// The main list leaves grouped flags out and names their group; -h
// <group> prints that group's flags only; every flag still parses.
func TestGroups(t *testing.T) {
	fs, g := flags()
	var b strings.Builder
	g.Usage(&b, "usage: netbench run [flags]\n\n")
	main := b.String()
	for _, want := range []string{"usage: netbench run", "-models", "-repeats", "shards   splitting one attack over generators: -shard -start-at"} {
		if !strings.Contains(main, want) {
			t.Errorf("usage lacks %q:\n%s", want, main)
		}
	}
	if strings.Contains(main, "i/N: one shard") {
		t.Errorf("usage prints a grouped flag:\n%s", main)
	}
	b.Reset()
	if !g.Help(&b, []string{"-h", "shards"}) {
		t.Fatal("-h shards was not taken as a group's help")
	}
	if got := b.String(); !strings.Contains(got, "i/N: one shard") || strings.Contains(got, "-models") {
		t.Errorf("-h shards printed:\n%s", got)
	}
	if g.Help(&b, []string{"-h"}) || g.Help(&b, []string{"-models", "x"}) || g.Help(&b, []string{"-h", "nosuch"}) {
		t.Error("Help took arguments that ask for no group")
	}
	if err := fs.Parse([]string{"-shard", "1/2", "-models", "epoll"}); err != nil || fs.Lookup("shard").Value.String() != "1/2" {
		t.Errorf("a grouped flag does not parse: %v", err)
	}
}

func TestGroupUnknownFlag(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a group of a flag that does not exist")
		}
	}()
	_, g := flags()
	g.Group("x", "y", "nosuch")
}
