// Package cli groups a subcommand's flags, so that its -h fits on one
// screen: the flags a newcomer needs, then one line for each group the
// others are in, whose flags "-h <group>" prints. Grouping changes no
// flag: every flag is parsed as before, whatever its group.
package cli

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Groups are the groups of one flag set's flags.
type Groups struct {
	fs    *flag.FlagSet
	order []string          // group names, in the order given
	doc   map[string]string // group: what its flags are for
	of    map[string]string // flag: its group
}

// New groups fs's flags; until Group puts a flag in a group, it is in
// the main list.
func New(fs *flag.FlagSet) *Groups {
	return &Groups{fs: fs, doc: map[string]string{}, of: map[string]string{}}
}

// Group puts the named flags in group name, which doc describes in a few
// words. It panics on a flag fs does not have, a mistake of the program.
func (g *Groups) Group(name, doc string, flags ...string) {
	if _, ok := g.doc[name]; !ok {
		g.order = append(g.order, name)
	}
	g.doc[name] = doc
	for _, f := range flags {
		if g.fs.Lookup(f) == nil {
			panic("cli: no flag -" + f + " to put in group " + name)
		}
		g.of[f] = name
	}
}

// print writes the defaults of the flags keep selects, as
// flag.PrintDefaults writes them.
func (g *Groups) print(w io.Writer, keep func(name string) bool) {
	sub := flag.NewFlagSet(g.fs.Name(), flag.ContinueOnError)
	sub.SetOutput(w)
	g.fs.VisitAll(func(f *flag.Flag) {
		if keep(f.Name) {
			sub.Var(f.Value, f.Name, f.Usage)
			sub.Lookup(f.Name).DefValue = f.DefValue
		}
	})
	sub.PrintDefaults()
}

// Usage writes head, the main list of flags and a line per group.
func (g *Groups) Usage(w io.Writer, head string) {
	fmt.Fprint(w, head)
	g.print(w, func(n string) bool { return g.of[n] == "" })
	if len(g.order) == 0 {
		return
	}
	fmt.Fprintf(w, "\nMore flags, by group (netbench %s -h <group>):\n", g.fs.Name())
	for _, name := range g.order {
		var fl []string
		for f, gr := range g.of {
			if gr == name {
				fl = append(fl, "-"+f)
			}
		}
		slices.Sort(fl)
		fmt.Fprintf(w, "  %-8s %s: %s\n", name, g.doc[name], strings.Join(fl, " "))
	}
}

// Help handles "-h <group>" before args are parsed: it writes the
// group's flags to w and reports true; false when args ask for no group.
func (g *Groups) Help(w io.Writer, args []string) bool {
	if len(args) < 2 || (args[0] != "-h" && args[0] != "-help" && args[0] != "--help") {
		return false
	}
	name := args[1]
	if _, ok := g.doc[name]; !ok {
		return false
	}
	fmt.Fprintf(w, "netbench %s, %s:\n", g.fs.Name(), g.doc[name])
	g.print(w, func(n string) bool { return g.of[n] == name })
	return true
}
