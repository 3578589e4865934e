package ui

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"netmodels/bench/scenario"
)

// Request is what the start form, or Locust's POST /swarm, asks for.
type Request struct {
	Models []string // one model, or several one after the other (compare mode)
	Host   string   // an address to attack instead of starting a model
	// ScenarioName is a built-in or file scenario; "" for the ad-hoc load
	// of the fields below.
	ScenarioName string
	Load         string // users (Locust's), rate, ramp or closed
	Users        int
	SpawnRate    float64
	ThinkMin     time.Duration
	ThinkMax     time.Duration
	Rate, RampTo float64 // rate: requests per second; ramp: from Rate to RampTo
	Conns        int     // closed: connections
	// Paths is the path mix, "path[*weight]" separated by spaces or
	// commas; "" is the course's locustfile (scenario slides-locustfile).
	Paths     string
	KeepAlive bool
	// RunTime is the test's length; 0: until stopped (Config.MaxTime at
	// most), or the scenario's own length for a named scenario.
	RunTime time.Duration
}

// CourseScenario is the default load: the course slides' locustfile, its
// views and its 1-3 s think time.
const CourseScenario = "slides-locustfile"

// ParseRequest reads a start form: Locust's fields (user_count,
// spawn_rate, host, run_time) and netmodels' (model, models, scenario,
// load, think_min, think_max, rate, ramp_to, conns, paths, keep_alive).
func ParseRequest(f url.Values) (*Request, error) {
	r := &Request{Host: strings.TrimSpace(f.Get("host")), ScenarioName: strings.TrimSpace(f.Get("scenario")),
		Load: f.Get("load"), Paths: strings.TrimSpace(f.Get("paths")), KeepAlive: f.Get("keep_alive") != "false"}
	for _, k := range []string{"model", "models"} {
		for _, v := range f[k] {
			for _, m := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' }) {
				if !slices.Contains(r.Models, m) {
					r.Models = append(r.Models, m)
				}
			}
		}
	}
	if r.Host != "" && len(r.Models) > 0 {
		return nil, errors.New("give a model to start or a host to attack, not both")
	}
	if r.Host != "" {
		u, err := url.Parse(r.Host)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return nil, fmt.Errorf("host %q: want http://host:port", r.Host)
		}
	}
	var err error
	num := func(name string, def float64) float64 {
		v := strings.TrimSpace(f.Get(name))
		if v == "" || err != nil {
			return def
		}
		x, e := strconv.ParseFloat(v, 64)
		if e != nil || x < 0 {
			err = fmt.Errorf("%s=%q: want a number, 0 or more", name, v)
		}
		return x
	}
	dur := func(name string, def time.Duration) time.Duration {
		v := strings.TrimSpace(f.Get(name))
		if v == "" || err != nil {
			return def
		}
		d, e := parseDuration(v)
		if e != nil {
			err = fmt.Errorf("%s=%q: %v", name, v, e)
		}
		return d
	}
	r.Users = int(num("user_count", 0))
	r.SpawnRate = num("spawn_rate", 0)
	r.ThinkMin, r.ThinkMax = dur("think_min", time.Second), dur("think_max", 3*time.Second)
	r.Rate, r.RampTo, r.Conns = num("rate", 0), num("ramp_to", 0), int(num("conns", 0))
	r.RunTime = dur("run_time", 0)
	if err != nil {
		return nil, err
	}
	if r.Load == "" {
		r.Load = "users"
	}
	return r, nil
}

// parseDuration reads Go's durations and Locust's run times ("90", "1h30m",
// "30s": a bare number is seconds).
func parseDuration(v string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, errors.New("want a length such as 30s, 2m or 90")
	}
	return d, nil
}

// Scenario is the request's load as a scenario, bounded by maxTime.
func (r *Request) Scenario(dir string, maxTime time.Duration) (*scenario.Scenario, error) {
	var sc *scenario.Scenario
	if r.ScenarioName != "" {
		found, err := scenario.Find(dir, r.ScenarioName)
		if err != nil {
			return nil, err
		}
		c := *found
		sc = &c
		if sc.Load.Kind == scenario.Users {
			if r.Users > 0 {
				sc.Load.Users = r.Users
			}
			if r.SpawnRate > 0 {
				sc.Load.SpawnRate = r.SpawnRate
			}
		}
		if r.RunTime > 0 && sc.Stress == nil && sc.Load.Kind != scenario.Steps {
			sc.Duration.Duration = r.RunTime
		}
	} else {
		course, err := scenario.Find(dir, CourseScenario)
		if err != nil {
			return nil, err
		}
		sc = &scenario.Scenario{Name: "ui-" + r.Load, Doc: "an ad-hoc load from netbench ui", KeepAlive: r.KeepAlive,
			Timeout: scenario.Duration{Duration: 30 * time.Second}, MaxConns: 1000}
		if r.Paths == "" {
			sc.Targets, sc.Doc = course.Targets, "the course slides' locustfile's views, from netbench ui"
		} else if sc.Targets, err = targets(r.Paths); err != nil {
			return nil, err
		}
		d := func(v time.Duration) scenario.Duration { return scenario.Duration{Duration: v} }
		switch r.Load {
		case "users":
			sc.Load = scenario.Load{Kind: scenario.Users, Users: r.Users, SpawnRate: r.SpawnRate, ThinkMin: d(r.ThinkMin), ThinkMax: d(r.ThinkMax)}
		case "rate":
			sc.Load = scenario.Load{Kind: scenario.Constant, Rate: r.Rate}
		case "ramp":
			sc.Load = scenario.Load{Kind: scenario.Linear, From: r.Rate, To: r.RampTo}
		case "closed":
			sc.Load = scenario.Load{Kind: scenario.Closed, Conns: r.Conns}
			sc.MaxConns = 0
		default:
			return nil, fmt.Errorf("load %q: want users, rate, ramp or closed", r.Load)
		}
		sc.Duration = d(maxTime)
		if r.RunTime > 0 {
			sc.Duration = d(r.RunTime)
		}
	}
	if sc.Total() > maxTime {
		return nil, fmt.Errorf("the test would run %v, over this UI's limit of %v (netbench ui -max-time)", sc.Total(), maxTime)
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return sc, nil
}

// targets reads a path mix: "path[*weight]" separated by spaces or commas.
func targets(paths string) ([]scenario.Target, error) {
	var out []scenario.Target
	for _, f := range strings.FieldsFunc(paths, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' }) {
		p, w, _ := strings.Cut(f, "*")
		t := scenario.Target{Path: p}
		if w != "" {
			n, err := strconv.Atoi(w)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("path %q: the weight after * must be a whole number, 1 or more", f)
			}
			t.Weight = n
		}
		if !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("path %q: a path begins with /", p)
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, errors.New("no path in the mix")
	}
	return out, nil
}

// Flags is the request as meta.json's flags: the fields its load uses.
func (r *Request) Flags() map[string]string {
	m := map[string]string{}
	set := func(k, v string) {
		if v != "" && v != "0" {
			m[k] = v
		}
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	set("models", strings.Join(r.Models, ","))
	set("host", r.Host)
	if r.RunTime > 0 {
		m["run_time"] = r.RunTime.String()
	}
	if r.ScenarioName != "" {
		set("scenario", r.ScenarioName)
		set("user_count", strconv.Itoa(r.Users))
		set("spawn_rate", num(r.SpawnRate))
		return m
	}
	m["load"] = r.Load
	set("paths", r.Paths)
	m["keep_alive"] = strconv.FormatBool(r.KeepAlive)
	switch r.Load {
	case "users":
		set("user_count", strconv.Itoa(r.Users))
		set("spawn_rate", num(r.SpawnRate))
		m["think"] = r.ThinkMin.String() + "-" + r.ThinkMax.String()
	case "rate":
		set("rate", num(r.Rate))
	case "ramp":
		set("rate", num(r.Rate))
		set("ramp_to", num(r.RampTo))
	case "closed":
		set("conns", strconv.Itoa(r.Conns))
	}
	return m
}
