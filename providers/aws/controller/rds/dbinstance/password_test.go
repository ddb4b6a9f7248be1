package dbinstance

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/aws/apis/rds/v1beta1"
)

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		pw, err := generatePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != passwordLength {
			t.Fatalf("generatePassword() has %d characters, want %d", len(pw), passwordLength)
		}
		if i := strings.IndexFunc(pw, func(r rune) bool { return !strings.ContainsRune(passwordChars, r) }); i >= 0 {
			t.Fatalf("generatePassword() holds %q, which is not a letter or digit", pw[i])
		}
		if seen[pw] {
			t.Fatal("generatePassword() repeated a password")
		}
		seen[pw] = true
	}
}

func TestPasswordHash(t *testing.T) {
	cr := newInstance()
	other := newInstance(func(cr *v1beta1.DBInstance) { cr.SetUID(types.UID("another-uid")) })
	h := passwordHash(cr, password)
	if h != passwordHash(cr, password) {
		t.Error("passwordHash(...) is not deterministic")
	}
	if h == passwordHash(cr, password+"x") {
		t.Error("passwordHash(...) is the same for different passwords")
	}
	if h == passwordHash(other, password) {
		t.Error("passwordHash(...) is not salted with the resource's UID")
	}
	if strings.Contains(h, password) {
		t.Error("passwordHash(...) holds the password")
	}
}

func TestRedacted(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		want   error
	}{
		"Nil": {
			reason: "No error stays no error.",
		},
		"NoSecret": {
			reason: "An error without the password is returned as it is.",
			err:    errors.New("boom"),
			want:   errors.New("boom"),
		},
		"Secret": {
			reason: "Every occurrence of the password is replaced.",
			err:    errors.New("password " + password + " is invalid: " + password),
			want:   errors.New("password [redacted] is invalid: [redacted]"),
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, redacted(tc.err, password), test.EquateErrors()); diff != "" {
				t.Errorf("%s\nredacted(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestNoMessageHoldsThePassword drives every path that handles the master
// password into an error, against an API that echoes the password in its
// error messages, and checks that neither the error nor the conditions the
// reconciler would set from it, nor the resource's annotations, hold the
// password.
func TestNoMessageHoldsThePassword(t *testing.T) {
	echo := func(pw *string) error {
		return &smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "The parameter MasterUserPassword " + aws.ToString(pw) + " is not valid"}
	}
	echoing := func(db *rdstypes.DBInstance) *fakeAPI {
		f := found(db)
		f.create = func(in *rds.CreateDBInstanceInput) (*rds.CreateDBInstanceOutput, error) {
			return nil, echo(in.MasterUserPassword)
		}
		f.modify = func(in *rds.ModifyDBInstanceInput) (*rds.ModifyDBInstanceOutput, error) {
			return nil, echo(in.MasterUserPassword)
		}
		return f
	}
	autoGenerate := func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true) }
	cases := map[string]struct {
		pw   string
		kube *fakeKube
		cr   *v1beta1.DBInstance
		run  func(e *external, cr *v1beta1.DBInstance) error
	}{
		"Create": {
			pw:   password,
			kube: newKube(map[string]string{"password": password}),
			cr:   newInstance(func(cr *v1beta1.DBInstance) { meta.RemoveAnnotations(cr, AnnotationPasswordHash) }),
			run: func(e *external, cr *v1beta1.DBInstance) error {
				e.api = echoing(nil)
				_, err := e.Create(context.Background(), cr)
				return err
			},
		},
		"CreateGenerated": {
			pw:   generated,
			kube: newKube(nil),
			cr:   newInstance(autoGenerate, func(cr *v1beta1.DBInstance) { meta.RemoveAnnotations(cr, AnnotationPasswordHash) }),
			run: func(e *external, cr *v1beta1.DBInstance) error {
				e.api = echoing(nil)
				_, err := e.Create(context.Background(), cr)
				return err
			},
		},
		"UpdatePassword": {
			pw:   "a-new-password-2",
			kube: newKube(map[string]string{"password": "a-new-password-2"}),
			cr:   newInstance(),
			run: func(e *external, cr *v1beta1.DBInstance) error {
				e.api = echoing(instance())
				_, err := e.Update(context.Background(), cr)
				return err
			},
		},
		"UpdateGenerated": {
			pw:   generated,
			kube: newKube(nil),
			cr:   newInstance(autoGenerate),
			run: func(e *external, cr *v1beta1.DBInstance) error {
				e.api = echoing(instance())
				_, err := e.Update(context.Background(), cr)
				return err
			},
		},
		"UpdateOtherField": {
			pw:   password,
			kube: newKube(map[string]string{"password": password}),
			cr:   newInstance(),
			run: func(e *external, cr *v1beta1.DBInstance) error {
				e.api = echoing(instance(func(db *rdstypes.DBInstance) { db.AllocatedStorage = aws.Int32(10) }))
				// The password is unchanged, so it is not sent: the
				// echo has nothing to echo.
				_, err := e.Update(context.Background(), cr)
				return err
			},
		},
		"ObserveChangedPassword": {
			pw:   "a-new-password-2",
			kube: newKube(map[string]string{"password": "a-new-password-2"}),
			cr:   newInstance(),
			run: func(e *external, cr *v1beta1.DBInstance) error {
				e.api = echoing(instance())
				o, err := e.Observe(context.Background(), cr)
				if o.ResourceUpToDate {
					return errors.New("a changed password is up to date")
				}
				// Make the case fail the test's error check only if
				// Observe errs with the password.
				if err != nil {
					return err
				}
				return errors.New("observed")
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{kube: tc.kube, region: region, newPassword: func() (string, error) { return generated, nil }}
			err := tc.run(e, tc.cr)
			if err == nil {
				t.Fatal("want an error")
			}
			if strings.Contains(err.Error(), tc.pw) {
				t.Errorf("error holds the password: %q", err.Error())
			}
			tc.cr.SetConditions(xpv2.ReconcileError(err))
			for _, c := range tc.cr.Status.Conditions {
				if strings.Contains(c.Message, tc.pw) || strings.Contains(string(c.Reason), tc.pw) {
					t.Errorf("condition %s holds the password: %q", c.Type, c.Message)
				}
			}
			for k, v := range tc.cr.GetAnnotations() {
				if strings.Contains(v, tc.pw) {
					t.Errorf("annotation %s holds the password", k)
				}
			}
		})
	}
}
