package runner

import (
	"strings"
	"testing"
	"time"
)

// TestForwardProgress: a harness's progress lines reach the callback as
// durations, and every other line is kept.
func TestForwardProgress(t *testing.T) {
	in := ProgressLine(time.Second, 5*time.Second) + "warning: something\n" + ProgressLine(2*time.Second, 5*time.Second) + "progress x y\n"
	var got []time.Duration
	var other strings.Builder
	ForwardProgress(strings.NewReader(in), func(el, total time.Duration) {
		if total != 5*time.Second {
			t.Errorf("total %v", total)
		}
		got = append(got, el)
	}, &other)
	if len(got) != 2 || got[0] != time.Second || got[1] != 2*time.Second {
		t.Errorf("progress %v, want [1s 2s]", got)
	}
	if other.String() != "warning: something\nprogress x y\n" {
		t.Errorf("other lines %q", other.String())
	}
}
