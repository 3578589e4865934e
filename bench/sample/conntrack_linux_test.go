package sample

import "testing"

// The drop column summed over the CPUs, from the layout of kernel 6.x.
func TestParseConntrackDrops(t *testing.T) {
	in := "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n" +
		"00000000  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000371 00000000 00000000  00000000 00000000 00000000 00000000\n" +
		"00000000  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 000009fa 00000000 00000000  00000000 00000000 00000000 00000000\n"
	if n, ok := ParseConntrackDrops([]byte(in)); !ok || n != 0x371+0x9fa {
		t.Fatalf("got %d, %v; want %d", n, ok, 0x371+0x9fa)
	}
	for _, bad := range []string{"", "entries found\n00 00\n", "entries drop\n00 zz\n", "entries drop\n", "entries x drop\n01\n"} {
		if _, ok := ParseConntrackDrops([]byte(bad)); ok {
			t.Errorf("%q: read as counters", bad)
		}
	}
}

func FuzzParseConntrackDrops(f *testing.F) {
	f.Add([]byte("entries drop\n0000000a\n00000001\n"))
	f.Add([]byte("drop\nffffffffffffffff\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseConntrackDrops(b) // any text: an answer, never a panic
	})
}
