// Command netchild serves one connection, on descriptor 3, for the fork
// model: netserver starts one per connection. It imports only the shared
// responder and the blocking loop, so that a connection pays little more
// than the start of an empty Go program (docs/models/fork.md). It is not
// meant to be run by hand.
package main

import (
	"fmt"
	"os"

	"netmodels/servers/fork/child"
	"netmodels/servers/handler"
)

func main() {
	if !child.Is() {
		fmt.Fprintln(os.Stderr, "netchild serves one connection for netserver's fork model; run netserver -model fork")
		os.Exit(2)
	}
	os.Exit(child.Run("fork", handler.New()))
}
