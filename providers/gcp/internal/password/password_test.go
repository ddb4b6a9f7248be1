package password

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/fake"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/gcp/internal/gcptest"
)

func TestGenerate(t *testing.T) {
	a, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate()
	if len(a) != 32 || strings.Trim(a, alphabet) != "" || a == b {
		t.Errorf("Generate() = %q, %q: want two different passwords of 32 letters and digits", a, b)
	}
}

func TestHash(t *testing.T) {
	h := Hash("uid-1", "pw")
	if h != Hash("uid-1", "pw") || h == Hash("uid-2", "pw") || h == Hash("uid-1", "pw2") || strings.Contains(h, "pw") {
		t.Errorf("Hash is not stable, salted by the UID and free of the password: %q", h)
	}
	if !Applied("uid-1", h, "pw") || Applied("uid-1", h, "other") || Applied("uid-1", "", "") {
		t.Error("Applied does not match Hash")
	}
}

func TestEnsure(t *testing.T) {
	sel := xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: "ns", Name: "pw"}, Key: "password"}
	stored := func(data map[string]string) *corev1.Secret {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pw"}, Data: map[string][]byte{}}
		for k, v := range data {
			s.Data[k] = []byte(v)
		}
		return s
	}
	owner := metav1.OwnerReference{APIVersion: "sql.gcp.stratus.dev/v1beta1", Kind: "User", Name: "app", UID: "uid-1", Controller: new(true)}
	type want struct {
		pw     string
		err    error
		writes []string
		// owners are the owner references of the stored Secret.
		owners []metav1.OwnerReference
	}
	cases := map[string]struct {
		reason   string
		secrets  []*corev1.Secret
		generate bool
		want     want
	}{
		"Stored": {
			reason:  "A stored password is returned as it is.",
			secrets: []*corev1.Secret{stored(map[string]string{"password": "mine"})},
			want:    want{pw: "mine"},
		},
		"GenerateSecret": {
			reason:   "A missing Secret is created with a generated password, controlled by the owner so that it is deleted with it.",
			generate: true,
			want:     want{pw: "generated", writes: []string{"create Secret ns/pw password=generated"}, owners: []metav1.OwnerReference{owner}},
		},
		"GenerateKey": {
			reason:   "A missing key is added to the Secret, which keeps its owners: the user's Secret is not taken over.",
			secrets:  []*corev1.Secret{stored(map[string]string{"other": "x"})},
			generate: true,
			want:     want{pw: "generated", writes: []string{"update Secret ns/pw other=x,password=generated"}},
		},
		"Missing": {
			reason: "Without generation a missing Secret is an error that says what to do.",
			want:   want{err: errors.New("password Secret ns/pw does not exist (set autoGeneratePassword to generate one)")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kube := gcptest.NewKube(tc.secrets...)
			pw, err := Ensure(context.Background(), kube, owner, sel, tc.generate, func() (string, error) { return "generated", nil })
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nEnsure(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			s := &corev1.Secret{}
			_ = kube.Get(context.Background(), client.ObjectKey{Namespace: "ns", Name: "pw"}, s)
			got := want{pw: pw, err: tc.want.err, writes: kube.Writes(), owners: s.OwnerReferences}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), test.EquateErrors()); diff != "" {
				t.Errorf("%s\nEnsure(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	if got := Redact(errors.New("bad password hunter2!"), "hunter2").Error(); got != "bad password [redacted]!" {
		t.Errorf("Redact(...) = %q", got)
	}
	if Redact(nil, "x") != nil {
		t.Error("Redact(nil) should be nil")
	}
}

func TestSettle(t *testing.T) {
	mg := &fake.LegacyManaged{}
	mg.SetAnnotations(map[string]string{"pending": "h2", "hash": "h1"})
	set, remove := Settle(mg, "hash", "pending")(false)
	if diff := cmp.Diff(map[string]string{"hash": "h2"}, set); diff != "" || !cmp.Equal(remove, []string{"pending"}) {
		t.Errorf("Settle after success: set %v, remove %v; want the pending hash applied", set, remove)
	}
	set, remove = Settle(mg, "hash", "pending")(true)
	if set != nil || !cmp.Equal(remove, []string{"pending"}) {
		t.Errorf("Settle after failure: set %v, remove %v; want the pending hash dropped", set, remove)
	}
}
