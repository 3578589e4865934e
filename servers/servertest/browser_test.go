package servertest_test

import (
	"context"
	"flag"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"netmodels/internal/headless"
	"netmodels/servers"
	"netmodels/servers/model"
	"netmodels/servers/servertest"
)

var screenshot = flag.String("screenshot", "", "TestBrowserGame: write a PNG of the won game on the fork model to `file`")

// TestBrowserGame plays the up-down game on every model in headless
// Chromium by typing
// guesses and clicking the button, binary-searching to CORRECT, and checks
// the page's text after every answer.
func TestBrowserGame(t *testing.T) {
	bctx := headless.Start(t, 720, 560, chromedp.Flag("lang", "ko-KR,en"))
	for _, e := range servers.All() {
		name := e.Name
		t.Run(name, func(t *testing.T) {
			s := servertest.Start(t, e, model.Config{})
			ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
			defer cancel()
			png := playInBrowser(t, ctx, "http://"+s.Addr+"/updown")
			if name == "fork" && *screenshot != "" {
				if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

var winText = regexp.MustCompile(`^정답입니다! 축하합니다! (\d+)번의 시도 만에 맞췄습니다\.$`)

// playInBrowser plays one game at url and returns a screenshot of the won
// game.
func playInBrowser(t *testing.T, ctx context.Context, url string) []byte {
	t.Helper()
	var prompt string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(`body[data-game="ready"]`, chromedp.ByQuery),
		chromedp.Text("#prompt", &prompt, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	if prompt != "1~100 사이의 숫자를 입력하세요!" {
		t.Fatalf("prompt %q", prompt)
	}
	// A guess that is not a number: the server's error is shown, the
	// game goes on.
	var errText string
	if err := chromedp.Run(ctx,
		chromedp.SendKeys("#guess", "abc", chromedp.ByQuery),
		chromedp.Click("#submit", chromedp.ByQuery),
		chromedp.WaitVisible(`body[data-answers="1"]`, chromedp.ByQuery),
		chromedp.Text("#result", &errText, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("a bad guess: %v", err)
	}
	if !strings.Contains(errText, "guess must be an integer") {
		t.Fatalf("after a bad guess the page says %q", errText)
	}
	lo, hi := 1, 100
	for i := 1; i <= 7; i++ {
		mid := (lo + hi) / 2
		var last, result, en string
		if err := chromedp.Run(ctx,
			chromedp.Clear("#guess", chromedp.ByQuery),
			chromedp.SendKeys("#guess", strconv.Itoa(mid), chromedp.ByQuery),
			chromedp.Click("#submit", chromedp.ByQuery),
			chromedp.WaitVisible(`body[data-answers="`+strconv.Itoa(i+1)+`"]`, chromedp.ByQuery),
			chromedp.Text("#last", &last, chromedp.ByQuery),
			chromedp.Text("#result", &result, chromedp.ByQuery),
			chromedp.Text("#result-en", &en, chromedp.ByQuery),
		); err != nil {
			t.Fatalf("guess %d: %v", mid, err)
		}
		if last != "Your Guess: "+strconv.Itoa(mid) {
			t.Fatalf("guess %d: the page shows %q", mid, last)
		}
		switch {
		case result == "UP!":
			lo = mid + 1
		case result == "DOWN!":
			hi = mid - 1
		case winText.MatchString(result):
			// The course counts the tries that were guesses: the bad
			// one above was refused and is not among them.
			if m := winText.FindStringSubmatch(result); m[1] != strconv.Itoa(i) {
				t.Fatalf("won in %d guesses, the page says %q", i, result)
			}
			if en != "Correct! Congratulations! You got it in "+strconv.Itoa(i)+" tries." {
				t.Fatalf("English line %q", en)
			}
			var png []byte
			if err := chromedp.Run(ctx, chromedp.CaptureScreenshot(&png)); err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			t.Logf("won at %d in %d guesses", mid, i)
			return png
		default:
			t.Fatalf("guess %d: the page says %q", mid, result)
		}
	}
	t.Fatal("no win within 7 guesses of a binary search")
	return nil
}
