package servertest_test

import (
	"os"
	"testing"

	"netmodels/servers"
	"netmodels/servers/handler"
	"netmodels/servers/servertest"
)

// TestMain lets the test binary play a model's child process (the fork
// model re-executes the running binary).
func TestMain(m *testing.M) {
	if code, ok := servers.RunChild(handler.New()); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// TestConformance runs the whole suite against every model. Under the race
// detector (make race) it runs the models whose traits say it applies:
// the others run no concurrent code in this process for it to watch.
func TestConformance(t *testing.T) {
	for _, e := range servers.All() {
		t.Run(e.Name, func(t *testing.T) {
			if raceOn && !e.Traits.Race {
				t.Skipf("race detector: %s runs no concurrent code in this process (model.Traits.Race)", e.Name)
			}
			servertest.Run(t, e)
		})
	}
}
