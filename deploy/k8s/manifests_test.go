// Package k8s holds the Kubernetes manifests of a distributed attack
// (docs/distributed.md) and the test that validates them without a
// cluster: each document is decoded strictly into its k8s.io/api type (an
// unknown or misspelt field fails), and the fields the shards rely on are
// checked against each other. It is a module of its own so that the
// Kubernetes libraries stay out of netmodels' own build.
package k8s

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

type manifests struct {
	deployments []appsv1.Deployment
	services    []corev1.Service
	jobs        []batchv1.Job
	claims      []corev1.PersistentVolumeClaim
}

// load decodes every document of every manifest strictly.
func load(t *testing.T) *manifests {
	t.Helper()
	files, _ := filepath.Glob("*.yaml")
	if len(files) == 0 {
		t.Fatal("no manifests")
	}
	m := &manifests{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(b, []byte("\n---\n")) {
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal(doc, &head); err != nil {
				t.Fatalf("%s #%d: %v", f, i, err)
			}
			var err2 error
			switch head.APIVersion + " " + head.Kind {
			case "apps/v1 Deployment":
				var x appsv1.Deployment
				err2 = yaml.UnmarshalStrict(doc, &x)
				m.deployments = append(m.deployments, x)
			case "v1 Service":
				var x corev1.Service
				err2 = yaml.UnmarshalStrict(doc, &x)
				m.services = append(m.services, x)
			case "batch/v1 Job":
				var x batchv1.Job
				err2 = yaml.UnmarshalStrict(doc, &x)
				m.jobs = append(m.jobs, x)
			case "v1 PersistentVolumeClaim":
				var x corev1.PersistentVolumeClaim
				err2 = yaml.UnmarshalStrict(doc, &x)
				m.claims = append(m.claims, x)
			default:
				t.Fatalf("%s #%d: a kind this test does not know: %q %q", f, i, head.APIVersion, head.Kind)
			}
			if err2 != nil {
				t.Errorf("%s #%d (%s): %v", f, i, head.Kind, err2)
			}
		}
	}
	return m
}

func (m *manifests) job(t *testing.T, name string) *batchv1.Job {
	for i := range m.jobs {
		if m.jobs[i].Name == name {
			return &m.jobs[i]
		}
	}
	t.Fatalf("no Job %s", name)
	return nil
}

// argAfter is the argument after flag in args, "" when there is none.
func argAfter(args []string, flag string) string {
	if i := slices.Index(args, flag); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

func TestManifests(t *testing.T) {
	m := load(t)
	if len(m.deployments) != 1 || len(m.services) != 1 || len(m.claims) != 1 {
		t.Fatalf("%d deployments, %d services, %d claims; want one each", len(m.deployments), len(m.services), len(m.claims))
	}
	d, svc, pvc := m.deployments[0], m.services[0], m.claims[0]
	srv := d.Spec.Template.Spec.Containers[0]
	if q, ok := srv.Resources.Limits[corev1.ResourceCPU]; !ok || q.IsZero() {
		t.Error("the server has no CPU limit: the model's CPU must be bounded, as in make bench-all")
	}
	for k, v := range svc.Spec.Selector {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("the Service selects %s=%s, which the Deployment's pods do not carry", k, v)
		}
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 8080 {
		t.Errorf("the Service's ports: %+v", svc.Spec.Ports)
	}

	atk := m.job(t, "netmodels-attackers")
	if atk.Spec.CompletionMode == nil || *atk.Spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatal("the attackers' Job is not Indexed: its pods would have no JOB_COMPLETION_INDEX")
	}
	if atk.Spec.Completions == nil || atk.Spec.Parallelism == nil || *atk.Spec.Completions != *atk.Spec.Parallelism {
		t.Fatal("the attackers must all run at once: completions and parallelism equal")
	}
	n := int(*atk.Spec.Completions)
	a := atk.Spec.Template.Spec.Containers[0]
	if got, want := argAfter(a.Args, "-shard"), "$(JOB_COMPLETION_INDEX)/"+strconv.Itoa(n); got != want {
		t.Errorf("-shard %q, want %q: each pod's index out of %d", got, want, n)
	}
	if argAfter(a.Args, "-start-at") == "" {
		t.Error("the attackers have no common start (-start-at)")
	}
	if sc := a.SecurityContext; sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeUnconfined {
		t.Error("the attackers run under a seccomp profile: netbench runs without one natively, and the default one moved the shards' median (docs/distributed.md)")
	}
	url := argAfter(a.Args, "-url")
	if want := "http://" + svc.Name + ":" + strconv.Itoa(int(svc.Spec.Ports[0].Port)); url != want {
		t.Errorf("the attackers attack %q, the Service is %q", url, want)
	}
	if argAfter(a.Args, "-name") != argAfter(srv.Args, "-model") {
		t.Errorf("the attack's name %q is not the model's %q", argAfter(a.Args, "-name"), argAfter(srv.Args, "-model"))
	}
	if !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Error("the results claim is not ReadWriteMany: shards on several nodes could not write it")
	}

	mg := m.job(t, "netmodels-merge")
	out := argAfter(a.Args, "-out")
	margs := mg.Spec.Template.Spec.Containers[0].Args
	if len(margs) < 3 || margs[0] != "merge" || !strings.HasPrefix(margs[len(margs)-1], out+"/") {
		t.Errorf("the merge does not read the shards' runs under %s: %v", out, margs)
	}
	for _, j := range []*batchv1.Job{atk, mg} {
		mounted := false
		for _, v := range j.Spec.Template.Spec.Volumes {
			if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == pvc.Name {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("Job %s does not mount the results claim %s", j.Name, pvc.Name)
		}
	}
}

// TestStrictDecodingFails: a misspelt field is refused, so the check
// above can fail.
func TestStrictDecodingFails(t *testing.T) {
	doc := []byte("apiVersion: batch/v1\nkind: Job\nmetadata: {name: x}\nspec:\n  completionMod: Indexed\n")
	var j batchv1.Job
	if err := yaml.UnmarshalStrict(doc, &j); err == nil {
		t.Fatal("a Job with completionMod (sic) decoded without error")
	}
}
