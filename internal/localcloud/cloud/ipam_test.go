package cloud

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

func TestIPAM(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewIPAM(s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, owner := range []string{"i-1", "i-2", "i-1"} {
		ip, err := a.Allocate("subnet-1", "10.0.1.0/29", owner)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ip)
	}
	other, err := a.Allocate("subnet-2", "10.0.1.0/29", "i-3")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, other)
	// A /29 has 8 addresses: 4 reserved at the start, the broadcast at the
	// end, so 3 to hand out; the same owner gets the same one back; another
	// pool with the same range is separate.
	if diff := cmp.Diff([]string{"10.0.1.4", "10.0.1.5", "10.0.1.4", "10.0.1.4"}, got); diff != "" {
		t.Errorf("Allocate: -want, +got:\n%s", diff)
	}
	if _, err := a.Allocate("subnet-1", "10.0.1.0/29", "i-4"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Allocate("subnet-1", "10.0.1.0/29", "i-5"); !errors.Is(err, ErrExhausted) {
		t.Errorf("Allocate from a full range: want ErrExhausted, got %v", err)
	}
	if err := a.Release("i-1"); err != nil {
		t.Fatal(err)
	}
	// Allocations survive a restart.
	s2, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := NewIPAM(s2)
	if err != nil {
		t.Fatal(err)
	}
	ip, err := a2.Allocate("subnet-1", "10.0.1.0/29", "i-5")
	if err != nil || ip != "10.0.1.4" {
		t.Errorf("Allocate after release and restart: got %q, %v; want 10.0.1.4", ip, err)
	}
	if _, err := a2.Allocate("p", "not-a-cidr", "x"); err == nil {
		t.Error("Allocate from a malformed range: want an error")
	}
}
