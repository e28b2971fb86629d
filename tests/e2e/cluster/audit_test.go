package cluster

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"preflight/e2e/fakeapi"
)

// auditCluster fills the fake with the references and workloads the audit tests use:
// Deployment prod/api needs Secret prod/openai; its ReplicaSet and Pod are controlled (not
// audited on their own); CronJob batch/nightly needs ServiceAccount batch/reporter (absent).
func auditCluster(fake *fakeapi.Server) {
	fake.Add(fakeapi.NewSecret("prod", "openai", map[string]string{"api-key": "sk-SENTINEL-audit"}))
	fake.Add(fakeapi.NewServiceAccount("prod", "default"))
	fake.Add(fakeapi.NewServiceAccount("batch", "default"))
	spec := podSpec("", secretEnv("OPENAI_API_KEY", "openai", "api-key"))
	fake.Add(fakeapi.NewWorkload("Deployment", "prod", "api", spec, ""))
	fake.Add(fakeapi.NewWorkload("ReplicaSet", "prod", "api-5c8d", podSpec("", secretEnv("X", "gone", "k")), "Deployment/api"))
	fake.Add(fakeapi.NewWorkload("Pod", "prod", "api-5c8d-abcde", podSpec("", secretEnv("X", "gone", "k")), "ReplicaSet/api-5c8d"))
	fake.Add(fakeapi.NewWorkload("CronJob", "batch", "nightly", podSpec("reporter"), ""))
	fake.Add(fakeapi.NewWorkload("StatefulSet", "prod", "db", podSpec(""), ""))
}

// TestAuditWithKubeconfig: `preflight audit --kubeconfig` lists every workload resource from the
// API server (paged, at the group paths) and audits them against the listed cluster state.
func TestAuditWithKubeconfig(t *testing.T) {
	needBin(t)
	fake := startFake(t, "audit-token")
	defer fake.Close()
	auditCluster(fake)
	kubeconfig := writeKubeconfig(t, t.TempDir(), fake, kubeAuth{token: "audit-token"})

	run := func() (int, string) {
		cmd := exec.Command(binPath, "audit", "--kubeconfig", kubeconfig)
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run audit: %v", err)
		}
		return code, string(out)
	}
	code, out := run()
	if code != 1 || !strings.Contains(out, "✖ CronJob batch/nightly\n    [serviceaccount-ref]") ||
		!strings.Contains(out, "→ 3 workloads in API server") || !strings.Contains(out, "1 problem would be rejected") {
		t.Errorf("audit: exit %d, want 1 with the CronJob's missing ServiceAccount only\n%s", code, out)
	}
	if strings.Contains(out, "api-5c8d") || strings.Contains(out, "sk-SENTINEL-audit") {
		t.Errorf("audit reported a controlled object or a Secret value\n%s", out)
	}
	for _, path := range []string{"/apis/apps/v1/deployments", "/apis/apps/v1/statefulsets",
		"/apis/apps/v1/daemonsets", "/apis/apps/v1/replicasets", "/apis/batch/v1/jobs",
		"/apis/batch/v1/cronjobs", "/api/v1/pods", "/api/v1/secrets"} {
		found := false
		for _, r := range requestsOf(fake.Requests(), "list", "") {
			found = found || (r.Path == path && queryParam(r, "limit") != "")
		}
		if !found {
			t.Errorf("audit did not list %s with a page limit\n%s", path, describeRequests(fake.Requests()))
		}
	}

	// The fix shows at the next run.
	fake.Add(fakeapi.NewServiceAccount("batch", "reporter"))
	if code, out := run(); code != 0 || !strings.Contains(out, "nothing would be rejected") {
		t.Errorf("after the fix: exit %d, want 0\n%s", code, out)
	}
}

// TestBackgroundAudit: serve audits the workloads in its caches every audit.interval and
// exports preflight_audit_findings{check,namespace}; a Secret deleted after the deploy shows up
// without any admission review, and disappears (0) once it is back.
func TestBackgroundAudit(t *testing.T) {
	fake := startFake(t, "bg-token")
	defer fake.Close()
	auditCluster(fake)
	kubeconfig := writeKubeconfig(t, t.TempDir(), fake, kubeAuth{token: "bg-token"})
	p := startPreflight(t, serveOptions{kubeconfig: kubeconfig, policy: "audit:\n  interval: 1s\n"})
	p.waitReady(20 * time.Second)

	gauge := func(check, ns string) (float64, bool) {
		return metricSum(p.metrics(), "preflight_audit_findings", map[string]string{"check": check, "namespace": ns})
	}
	waitFor(t, 20*time.Second, "the CronJob's missing ServiceAccount in the audit gauge", func() (bool, string) {
		v, ok := gauge("serviceaccount-ref", "batch")
		return ok && v == 1, p.metrics()
	})
	if v, ok := gauge("secret-ref", "prod"); ok && v != 0 {
		t.Fatalf("secret-ref in prod before the delete: %v (the ReplicaSet and Pod are controlled)", v)
	}
	text := p.metrics()
	if v, _ := metricSum(text, "preflight_cluster_cache_synced", map[string]string{"resource": "deployments"}); v != 1 {
		t.Errorf("deployments cache not reported synced\n%s", text)
	}
	if v, _ := metricSum(text, "preflight_cluster_cache_objects", map[string]string{"resource": "replicasets"}); v != 0 {
		t.Errorf("a Deployment's ReplicaSet is cached: %v", v)
	}

	fake.Delete("Secret", "prod", "openai")
	waitFor(t, 20*time.Second, `preflight_audit_findings{check="secret-ref",namespace="prod"} 1`, func() (bool, string) {
		v, ok := gauge("secret-ref", "prod")
		return ok && v == 1, p.metrics()
	})
	fake.Add(fakeapi.NewSecret("prod", "openai", map[string]string{"api-key": "sk-SENTINEL-audit"}))
	waitFor(t, 20*time.Second, "secret-ref back to 0 after the Secret is restored", func() (bool, string) {
		v, ok := gauge("secret-ref", "prod")
		return ok && v == 0, p.metrics()
	})
	if strings.Contains(p.stderr.String(), "sk-SENTINEL-audit") || strings.Contains(p.metrics(), "sk-SENTINEL-audit") {
		t.Errorf("a Secret value reached the logs or metrics")
	}
	if !strings.Contains(p.stderr.String(), `"audit finished"`) {
		t.Errorf("no audit log line\n%s", tail(p.stderr.String(), 2048))
	}
}

// TestWorkloadCachesDoNotGateReadiness: the webhook does not read the workload caches, so a
// cluster whose workload lists fail (RBAC without them) is still ready; the audit waits.
func TestWorkloadCachesDoNotGateReadiness(t *testing.T) {
	fake := startFake(t, "rd-token")
	defer fake.Close()
	fake.Add(fakeapi.NewServiceAccount("prod", "default"))
	kubeconfig := writeKubeconfig(t, t.TempDir(), fake, kubeAuth{token: "rd-token"})
	fake.Forbid("deployments")
	p := startPreflight(t, serveOptions{kubeconfig: kubeconfig, policy: "audit:\n  interval: 1s\n"})
	p.waitReady(20 * time.Second)
	time.Sleep(1500 * time.Millisecond)
	if v, _ := metricSum(p.metrics(), "preflight_cluster_cache_synced", map[string]string{"resource": "deployments"}); v != 0 {
		t.Errorf("deployments cache reported synced although its list is forbidden")
	}
	if _, ok := metricSum(p.metrics(), "preflight_audit_findings", nil); ok {
		t.Errorf("an audit ran without the deployments listed\n%s", p.metrics())
	}
}
