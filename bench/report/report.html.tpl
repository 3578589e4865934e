<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>netmodels run {{.Meta.RunID}}</title>
<style>{{.ChartCSS}}</style>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 1180px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: .6em 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: right; } th { background: #f3f3f3; }
td:first-child, th:first-child, td.l { text-align: left; }
.bound { color: #a33; } .note { color: #555; font-size: 12px; max-width: 60em; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; } .chart { border: 1px solid #eee; padding: 4px; }
.u-legend { font-size: 12px; }
</style>
</head>
<body>
<h1>netmodels run {{.Meta.RunID}}</h1>
<p>Machine: {{.Meta.CPUModel}}, {{.Meta.CPUs}} CPUs; kernel {{.Meta.Kernel}}; {{.Meta.Go}}. Server CPUs: {{.Meta.ServerCPUs}}; generator CPUs: {{.Meta.HarnessCPUs}}.<br>
Where: {{.Meta.Backend}}.<br>
Started {{.Meta.Started.UTC.Format "2006-01-02 15:04:05 UTC"}}. Command: <code>{{range .Meta.Command}}{{.}} {{end}}</code></p>
{{range .Meta.Notes}}<p class="note">Note: {{.}}</p>{{end}}
<p class="note">Every figure is computed from the stored results by the same code as REPORT.md. † marks an attack whose generator, not the server, was the limit: its throughput is a lower bound. ‡ marks a p99 from an attack the machine disturbed (hover for how): the hypervisor took {{stealLimit}}% or more of one of its CPUs (steal time), or the kernel's connection tracking dropped packets, its table full: its tail is the machine's as much as the model's. Charts: drag to zoom, double-click to zoom out, click a legend entry to hide or show it; hover for values. Latency charts plot latency as measured (not corrected for send lag).</p>
{{if .Clock}}<p class="note">{{.Clock}}</p>
{{end}}{{if .Findings}}<h2 id="what-this-run-shows">What this run shows</h2>
<p class="note">Computed from the tables below; each line links to its table. {{.TieRule}}</p>
<ul>{{range .Findings}}
<li>{{.}}</li>{{end}}
</ul>
{{end}}{{range .Scenarios}}{{$sc := .Name}}
<h2 id="{{.Name}}">{{.Name}}</h2>
{{if .Doc}}<p>{{.Doc}}</p>{{end}}
<table>
<tr><th>model</th><th>repeat</th><th>requests</th><th>answers/s</th><th>success</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>server CPU µs/answer</th><th>server CPUs used</th><th>peak RSS MiB</th><th>threads</th><th>procs</th><th>fds</th><th>knee /s</th><th>break /s</th><th>generator</th></tr>
{{range .Rows}}<tr><td>{{.Model}}</td><td>{{.Repeat}}</td><td>{{.Requests}}</td><td>{{f 0 .Throughput}}{{if .GeneratorBound}} <span class="bound">†</span>{{end}}</td><td>{{pct .Success}}</td><td>{{f 3 .P50}}</td><td>{{f 3 .P99}}{{if .Disturbed}} <span class="bound" title="{{.DisturbedWhy}}">‡</span>{{end}}</td><td>{{f 1 .Max}}</td><td>{{f 1 .ServerCPUPerAnswer}}</td><td>{{f 2 .ServerCPUShare}}</td><td>{{mib .PeakRSSKiB}}</td><td>{{.PeakThreads}}</td><td>{{.PeakProcs}}</td><td>{{.PeakFDs}}</td>
<td>{{if .Stress}}{{if lt .Stress.KneeRPS 0.0}}none held{{else}}{{f 0 .Stress.KneeRPS}}{{end}}{{end}}</td><td>{{if .Stress}}{{if lt .Stress.BreakRPS 0.0}}none{{else}}{{f 0 .Stress.BreakRPS}}{{end}}{{end}}</td>
<td class="l {{if .GeneratorBound}}bound{{end}}">{{if .GeneratorBound}}† {{.GeneratorNote}}{{else}}{{f 0 (pctOf .HarnessCPUShare)}}% CPU{{end}}</td></tr>
{{end}}</table>
<div class="charts" data-scenario="{{.Name}}"></div>
{{range .Figures}}<figure><img src="{{.SVG}}" alt="{{.Title}}" width="760"><figcaption class="note">{{.Caption}}</figcaption></figure>
{{end}}<h3>Statistics by request name</h3>
<table><tr><th>model</th><th>method</th><th>name</th><th>requests</th><th>failures</th><th>median ms</th><th>mean ms</th><th>min ms</th><th>max ms</th><th>p90 ms</th><th>p99 ms</th><th>mean size B</th><th>req/s</th><th>failures/s</th></tr>
{{range .Rows}}{{$m := .Model}}{{range .Routes}}<tr><td>{{$m}}</td><td>{{.Method}}</td><td class="l">{{.Name}}</td><td>{{.Requests}}</td><td>{{.Failures}}</td><td>{{f 3 .Median}}</td><td>{{f 3 .Mean}}</td><td>{{f 3 .Min}}</td><td>{{f 1 .Max}}</td><td>{{f 3 .P90}}</td><td>{{f 3 .P99}}</td><td>{{f 0 .MeanSize}}</td><td>{{f 1 .RPS}}</td><td>{{f 2 .FailRPS}}</td></tr>
{{end}}{{end}}</table>
<h3>Failures by cause</h3>
<table><tr><th>model</th><th>cause</th><th>count</th><th>first at s</th><th>first example</th></tr>
{{range .Rows}}{{$m := .Model}}{{range .Failures}}<tr><td>{{$m}}</td><td class="l">{{.Cause}}</td><td>{{.Count}}</td><td>{{f 1 .First}}</td><td class="l">{{.Example}}</td></tr>
{{else}}<tr><td>{{$m}}</td><td class="l" colspan="4">no failures</td></tr>
{{end}}{{end}}</table>
{{end}}
{{if .Breaking}}<h2 id="breaking-points">Breaking points</h2>
{{range .Breaking}}<figure><img src="{{.SVG}}" alt="{{.Title}}" width="760"><figcaption class="note">{{.Caption}}</figcaption></figure>
{{end}}{{end}}{{if .Latency}}<h2 id="latency-below-capacity">Latency below capacity</h2>
{{.Latency}}{{range .LatencyChart}}<figure><img src="{{.SVG}}" alt="{{.Title}}" width="760"><figcaption class="note">{{.Caption}}</figcaption></figure>
{{end}}{{end}}
{{if .Idle}}<h2 id="memory-per-idle-connection">Memory per idle connection</h2>
<table><tr><th>model</th><th>connections held</th><th>PSS KiB/conn</th><th>RSS KiB/conn</th><th>threads/conn</th><th>processes/conn</th><th>note</th></tr>
{{range .Idle}}<tr><td>{{.Model}}</td><td>{{.Conns}}</td>{{if .Measured}}<td>{{f 1 .PSSPerConnKiB}}</td><td>{{f 1 .RSSPerConnKiB}}</td><td>{{f 3 .ThreadsPerConn}}</td><td>{{f 3 .ProcsPerConn}}</td>{{else}}<td>–</td><td>–</td><td>–</td><td>–</td>{{end}}<td class="l">{{.Note}}</td></tr>
{{end}}</table>
<p class="note">PSS added per idle keep-alive connection (shared pages divided among the processes that share them).</p>
{{range .Memory}}<figure><img src="{{.SVG}}" alt="{{.Title}}" width="760"><figcaption class="note">{{.Caption}}</figcaption></figure>
{{end}}{{end}}
{{.Seeds}}
<script>{{.ChartJS}}</script>
<script>
const DATA = {{.Data}};
// One chart: a figure of each second, one line per model.
function chart(el, title, unit, models, field) {
  const ts = new Set();
  for (const m of models) for (const s of DATA.series[m.scenario][m.model]) ts.add(s.t);
  const xs = [...ts].sort((a, b) => a - b);
  const data = [xs];
  const series = [{label: "t (s)"}];
  for (const m of models) {
    const by = new Map(DATA.series[m.scenario][m.model].map(s => [s.t, s]));
    data.push(xs.map(t => by.has(t) ? field(by.get(t)) : null));
    series.push({label: m.model, stroke: DATA.colors[m.model] || "#333", width: 1.6, dash: DATA.dashed[m.model] ? [6, 4] : undefined, spanGaps: false});
  }
  const div = document.createElement("div");
  div.className = "chart";
  el.appendChild(div);
  new uPlot({title: title, width: 560, height: 260, series: series, scales: {x: {time: false}},
    axes: [{label: "seconds since the attack began"}, {label: unit}]}, data, div);
}
for (const el of document.querySelectorAll(".charts")) {
  const sc = el.dataset.scenario, by = DATA.series[sc];
  if (!by) { el.textContent = "no time series stored for this scenario"; continue; }
  const models = Object.keys(by).map(model => ({scenario: sc, model}));
  chart(el, sc + ": successful answers per second", "answers/s", models, s => s.ok);
  chart(el, sc + ": p95 latency of the requests sent each second", "ms", models, s => s.p95_ms);
  chart(el, sc + ": failures per second", "failures/s", models, s => s.failed + (s.not_sent || 0));
  if (models.some(m => by[m.model].some(s => s.offered_rps > 0)))
    chart(el, sc + ": offered rate (the schedule)", "requests/s", models, s => s.offered_rps);
}
</script>
</body>
</html>
