package attack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// game is one user's up-down game (scenario.Target.Game): the token it
// holds and the range a binary search has left.
type game struct {
	token  string
	lo, hi int
	guess  int
	moves  int
}

// next returns the game's next request under the game's path base: a new
// game when none is going on, else the middle of the range.
func (g *game) next(base string) (method, path string, body []byte) {
	if g.token == "" {
		return http.MethodPost, base + "/new", nil
	}
	g.guess = (g.lo + g.hi) / 2
	body = fmt.Appendf(nil, `{"token":%q,"guess":%d}`, g.token, g.guess)
	return http.MethodPost, base + "/guess", body
}

// errGame marks answers that break the game's rules.
var errGame = errors.New("game")

// answer takes the server's answer to the last request. A 200 that does
// not follow the rules (no token, an attempt count that is not the number
// of guesses, hints that leave no number, no CORRECT within 7 guesses)
// is an error, and the user starts a new game. Other statuses leave the
// game as it was: the move is sent again.
func (g *game) answer(code int, body []byte) error {
	if code != http.StatusOK {
		return nil
	}
	var a struct {
		Token    string `json:"token"`
		Hint     string `json:"hint"`
		Attempts int    `json:"attempts"`
	}
	fail := func(why string) error {
		*g = game{}
		return fmt.Errorf("%w: %s: %.80q", errGame, why, body)
	}
	if err := json.Unmarshal(body, &a); err != nil || a.Token == "" {
		return fail("answer without a token")
	}
	if g.token == "" {
		*g = game{token: a.Token, lo: 1, hi: 100}
		return nil
	}
	g.moves++
	if a.Attempts != g.moves {
		return fail("attempts " + strconv.Itoa(a.Attempts) + " after " + strconv.Itoa(g.moves) + " guesses")
	}
	switch a.Hint {
	case "CORRECT":
		*g = game{}
		return nil
	case "UP":
		g.lo = g.guess + 1
	case "DOWN":
		g.hi = g.guess - 1
	default:
		return fail("hint " + strconv.Quote(a.Hint))
	}
	if g.lo > g.hi || g.moves >= 7 {
		return fail("hints that leave no number")
	}
	g.token = a.Token
	return nil
}
