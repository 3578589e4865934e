package servertest

// Cases is the suite: the core cases, then the up-down game's.
var Cases = append(coreCases, gameCases...)

// coreCases are API.md's, by concern, in the order they run.
var coreCases = concat(routeCases, framingCases, limitCases, concurrencyCases)

func concat(lists ...[]Case) []Case {
	var out []Case
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
