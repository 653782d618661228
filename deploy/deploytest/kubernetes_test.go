package deploytest

import (
	"bytes"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

const k8sDir = "deploy/kubernetes/"

// decodeStrict reads one YAML document into obj as the API server reads a manifest
// with strict field validation (kubectl's default, --validate=strict): YAML to JSON
// (duplicate keys are an error), then case-sensitive JSON with unknown and duplicate
// fields reported. So a misspelt or misplaced field fails here instead of being
// dropped.
func decodeStrict(t *testing.T, name string, obj any) {
	t.Helper()
	src := read(t, name)
	if bytes.Contains(src, []byte("\n---")) {
		t.Fatalf("%s: holds several YAML documents; keep one object per file", name)
	}
	j, err := yaml.YAMLToJSONStrict(src)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	strict, err := kjson.UnmarshalStrict(j, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, e := range strict {
		t.Errorf("%s: %v", name, e)
	}
}

// kustomization is the part of kustomization.yaml the checks need; other fields are
// allowed (kustomize's own types are not worth a dependency).
type kustomization struct {
	Namespace string      `json:"namespace"`
	Resources []string    `json:"resources"`
	Images    []kustImage `json:"images"`
}

// kustImage is an entry of a kustomization's images: which image name it rewrites.
type kustImage struct {
	Name    string `json:"name"`
	NewName string `json:"newName"`
	NewTag  string `json:"newTag"`
}

// manifests are the objects kustomization.yaml applies, decoded by kind.
type manifests struct {
	kust       kustomization
	deployment *appsv1.Deployment
	pvc        *corev1.PersistentVolumeClaim
	service    *corev1.Service
	config     *corev1.ConfigMap
	namespace  *corev1.Namespace
	secret     *corev1.Secret // secret.example.yaml, which is deliberately not applied
}

// loadManifests decodes every resource kustomization.yaml lists, each into the
// Kubernetes type its kind names; an unexpected kind fails.
func loadManifests(t *testing.T) *manifests {
	t.Helper()
	m := &manifests{}
	src := read(t, k8sDir+"kustomization.yaml")
	if err := yaml.Unmarshal(src, &m.kust); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	for _, r := range m.kust.Resources {
		name := k8sDir + r
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal(read(t, name), &head); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var obj any
		switch head.APIVersion + " " + head.Kind {
		case "apps/v1 Deployment":
			m.deployment = &appsv1.Deployment{}
			obj = m.deployment
		case "v1 PersistentVolumeClaim":
			m.pvc = &corev1.PersistentVolumeClaim{}
			obj = m.pvc
		case "v1 Service":
			m.service = &corev1.Service{}
			obj = m.service
		case "v1 ConfigMap":
			m.config = &corev1.ConfigMap{}
			obj = m.config
		case "v1 Namespace":
			m.namespace = &corev1.Namespace{}
			obj = m.namespace
		default:
			t.Fatalf("%s: unexpected %s %s", name, head.APIVersion, head.Kind)
		}
		decodeStrict(t, name, obj)
	}
	if m.deployment == nil || m.pvc == nil || m.service == nil || m.config == nil || m.namespace == nil {
		t.Fatalf("kustomization.yaml resources %v lack a Deployment, PVC, Service, ConfigMap or Namespace", m.kust.Resources)
	}
	if slices.Contains(m.kust.Resources, "secret.example.yaml") {
		t.Error("kustomization.yaml applies secret.example.yaml: its placeholder tokens would replace the real Secret")
	}
	m.secret = &corev1.Secret{}
	decodeStrict(t, k8sDir+"secret.example.yaml", m.secret)
	return m
}

// One replica, replaced by Recreate; the database on the PVC at MENTORBOT_DB_PATH's
// directory; the tokens from the Secret; probes on /healthz and /readyz at the port the
// bot listens on; a non-root user with a read-only root filesystem; resources set.
func TestKubernetesManifests(t *testing.T) {
	m := loadManifests(t)
	d := m.deployment
	pod := d.Spec.Template.Spec

	if r := d.Spec.Replicas; r == nil || *r != 1 {
		got := "unset (1 by default, but say it)"
		if r != nil {
			got = strconv.Itoa(int(*r))
		}
		t.Errorf("deployment: replicas %s, want exactly 1 (one process per database)", got)
	}
	if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("deployment: strategy %q, want Recreate (a rolling update would start a second bot on the same volume)", d.Spec.Strategy.Type)
	}
	if d.Spec.Selector == nil {
		t.Fatal("deployment: no selector")
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("deployment: selector %s=%s does not match the pod template's labels %v", k, v, d.Spec.Template.Labels)
		}
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("deployment: %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if !slices.ContainsFunc(m.kust.Images, func(i kustImage) bool { return i.Name == c.Image }) {
		t.Errorf("deployment: image %q is not among kustomization.yaml's images, so `kustomize edit set image` would not reach it", c.Image)
	}
	if g := pod.TerminationGracePeriodSeconds; g == nil || *g <= 10 {
		t.Errorf("deployment: terminationGracePeriodSeconds %v; the bot takes up to 10 s to stop, give it more", g)
	}

	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}

	// The database on the PVC.
	dir := dbDir(t, "deployment env", env["MENTORBOT_DB_PATH"].Value)
	var claim string
	for _, vm := range c.VolumeMounts {
		if path.Clean(vm.MountPath) != dir {
			continue
		}
		if vm.ReadOnly || vm.SubPath != "" {
			t.Errorf("deployment: the database mount %+v is read-only or a subPath", vm)
		}
		for _, v := range pod.Volumes {
			if v.Name == vm.Name && v.PersistentVolumeClaim != nil {
				claim = v.PersistentVolumeClaim.ClaimName
			}
		}
	}
	if claim == "" || claim != m.pvc.Name {
		t.Errorf("deployment: %s (MENTORBOT_DB_PATH's directory) is not mounted from the PVC %q (mounted: claim %q)", dir, m.pvc.Name, claim)
	}
	if !slices.Equal(m.pvc.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}) &&
		!slices.Equal(m.pvc.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod}) {
		t.Errorf("pvc: access modes %v, want ReadWriteOnce (or ReadWriteOncePod)", m.pvc.Spec.AccessModes)
	}
	if _, ok := m.pvc.Spec.Resources.Requests[corev1.ResourceStorage]; !ok {
		t.Error("pvc: no storage request")
	}

	// The tokens from the Secret, by name, never as literal values.
	for _, tok := range []string{botToken, appToken} {
		if _, ok := m.secret.StringData[tok]; !ok {
			t.Errorf("secret.example.yaml lacks %s", tok)
		}
		if _, ok := m.config.Data[tok]; ok {
			t.Errorf("configmap: holds %s; tokens belong in the Secret", tok)
		}
		e, inEnv := env[tok]
		switch {
		case inEnv && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			if ref := e.ValueFrom.SecretKeyRef; ref.Name != m.secret.Name || ref.Key != tok {
				t.Errorf("deployment: %s from secret %s key %s, want %s key %s", tok, ref.Name, ref.Key, m.secret.Name, tok)
			}
		case inEnv:
			t.Errorf("deployment: %s is set in the manifest; take it from the Secret %s", tok, m.secret.Name)
		case !slices.ContainsFunc(c.EnvFrom, func(s corev1.EnvFromSource) bool {
			return s.SecretRef != nil && s.SecretRef.Name == m.secret.Name && s.Prefix == "" &&
				(s.SecretRef.Optional == nil || !*s.SecretRef.Optional)
		}):
			t.Errorf("deployment: %s comes from neither a secretKeyRef nor envFrom of the (required) Secret %s", tok, m.secret.Name)
		}
	}

	// Settings: only real ones, and not those the manifest ties to its mounts and probes.
	var keys []string
	for k := range m.config.Data {
		keys = append(keys, k)
		if k == "MENTORBOT_DB_PATH" || k == "MENTORBOT_HTTP_ADDR" {
			t.Errorf("configmap: sets %s, which deployment.yaml ties to its volume and probes", k)
		}
	}
	for k := range env {
		keys = append(keys, k)
	}
	checkSettingNames(t, "kubernetes", keys)
	if !slices.ContainsFunc(c.EnvFrom, func(s corev1.EnvFromSource) bool {
		return s.ConfigMapRef != nil && s.ConfigMapRef.Name == m.config.Name
	}) {
		t.Errorf("deployment: does not read the ConfigMap %s", m.config.Name)
	}

	// Probes on the port the bot listens on.
	port := httpPort(t, "deployment env", env["MENTORBOT_HTTP_ADDR"].Value)
	portOf := func(p intstr.IntOrString) string {
		if p.Type == intstr.Int {
			return strconv.Itoa(int(p.IntVal))
		}
		for _, cp := range c.Ports {
			if cp.Name == p.StrVal {
				return strconv.Itoa(int(cp.ContainerPort))
			}
		}
		return "?" + p.StrVal
	}
	probe := func(name string, p *corev1.Probe, wantPath string) {
		switch {
		case p == nil:
			t.Errorf("deployment: no %s probe", name)
		case p.HTTPGet != nil:
			if p.HTTPGet.Path != wantPath || portOf(p.HTTPGet.Port) != port {
				t.Errorf("deployment: %s probe GET %s on port %s, want %s on %s", name, p.HTTPGet.Path, portOf(p.HTTPGet.Port), wantPath, port)
			}
		case p.Exec != nil && wantPath == "/healthz":
			if len(p.Exec.Command) != 2 || p.Exec.Command[1] != "healthcheck" {
				t.Errorf("deployment: %s probe runs %v, want [/mentorbot healthcheck]", name, p.Exec.Command)
			}
		default:
			t.Errorf("deployment: %s probe is neither GET %s nor `mentorbot healthcheck`", name, wantPath)
		}
	}
	probe("liveness", c.LivenessProbe, "/healthz")
	probe("readiness", c.ReadinessProbe, "/readyz")

	// Non-root, read-only root filesystem, nothing to escalate with.
	psc, csc := pod.SecurityContext, c.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	if csc == nil {
		csc = &corev1.SecurityContext{}
	}
	nonRoot, uid := psc.RunAsNonRoot, psc.RunAsUser
	if csc.RunAsNonRoot != nil {
		nonRoot = csc.RunAsNonRoot
	}
	if csc.RunAsUser != nil {
		uid = csc.RunAsUser
	}
	if nonRoot == nil || !*nonRoot {
		t.Error("deployment: runAsNonRoot is not true")
	}
	imageUID, _, _ := strings.Cut(imageUser(t), ":")
	if uid == nil || *uid == 0 {
		t.Errorf("deployment: runAsUser %v, want a non-zero uid", uid)
	} else if strconv.FormatInt(*uid, 10) != imageUID {
		t.Errorf("deployment: runAsUser %d, but the image's user is %s (who owns the volume's mount point)", *uid, imageUID)
	}
	if psc.FSGroup == nil || *psc.FSGroup == 0 {
		t.Error("deployment: no fsGroup, so a fresh volume may not be writable by the bot's user")
	}
	if csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem {
		t.Error("deployment: readOnlyRootFilesystem is not true")
	}
	if csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
		t.Error("deployment: allowPrivilegeEscalation is not false")
	}
	if csc.Capabilities == nil || !slices.Contains(csc.Capabilities.Drop, "ALL") {
		t.Error("deployment: capabilities do not drop ALL")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("deployment: the service account token is mounted; the bot calls no Kubernetes API")
	}

	// Resources: requests, and a memory limit above what the bot is measured to use.
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			t.Errorf("deployment: no %s request", r)
		}
	}
	if lim, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
		t.Error("deployment: no memory limit")
	} else if min := resource.MustParse("64Mi"); lim.Cmp(min) < 0 {
		t.Errorf("deployment: memory limit %s is below 64Mi, the bound docs/benchmarks.md measures the bot under churn against", lim.String())
	}

	// The Service reaches the pod's HTTP port.
	for k, v := range m.service.Spec.Selector {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("service: selector %s=%s does not select the pod", k, v)
		}
	}
	if len(m.service.Spec.Ports) == 0 || portOf(m.service.Spec.Ports[0].TargetPort) != port {
		t.Errorf("service: ports %+v do not target the bot's port %s", m.service.Spec.Ports, port)
	}

	// Everything lands in the namespace, which enforces the restricted policy the pod meets.
	if m.kust.Namespace != m.namespace.Name {
		t.Errorf("kustomization namespace %q, but namespace.yaml creates %q", m.kust.Namespace, m.namespace.Name)
	}
	if m.namespace.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("namespace: pod-security enforce label %q, want restricted", m.namespace.Labels["pod-security.kubernetes.io/enforce"])
	}
}
