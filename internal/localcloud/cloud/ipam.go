package cloud

import (
	"encoding/binary"
	"net/netip"
	"sync"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// PublicRange is where machines' public addresses come from: TEST-NET-3
// (RFC 5737), which is never routed, so no address the local cloud hands out
// can be mistaken for a real host.
const PublicRange = "203.0.113.0/24"

// reserved is how many addresses at the start of a range are never handed
// out: the network address and, as AWS and Azure do, the router and DNS.
const reserved = 4

// An allocation records who holds an address.
type allocation struct {
	Pool  string `json:"pool"`
	IP    string `json:"ip"`
	Owner string `json:"owner"`
}

// IPAM hands out addresses from ranges (a subnet's CIDR, PublicRange) and
// remembers them across restarts.
type IPAM struct {
	mu sync.Mutex
	t  *store.Table[allocation]
}

// NewIPAM returns an IPAM keeping its allocations in s.
func NewIPAM(s *store.Store) (*IPAM, error) {
	t, err := store.NewTable[allocation](s, "ipam")
	if err != nil {
		return nil, err
	}
	return &IPAM{t: t}, nil
}

// ErrExhausted is returned when a range has no free address left.
var ErrExhausted = errors.New("no free address left in the range")

// Allocate returns a free address of cidr for owner. pool names the range's
// owner (a subnet's ID, "public"), so that two subnets with the same CIDR in
// different networks do not share addresses. An owner that already holds an
// address in pool gets the same one back.
func (a *IPAM) Allocate(pool, cidr, owner string) (string, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return "", errors.Wrapf(err, "cannot parse range %q", cidr)
	}
	p = p.Masked()
	if !p.Addr().Is4() {
		return "", errors.Errorf("range %s is not IPv4", cidr)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	all, err := a.t.List()
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	for _, al := range all {
		if al.Pool != pool {
			continue
		}
		if al.Owner == owner {
			return al.IP, nil
		}
		used[al.IP] = true
	}
	base := binary.BigEndian.Uint32(p.Addr().AsSlice())
	size := uint32(1) << (32 - p.Bits())
	for i := uint32(reserved); i+1 < size; i++ {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], base+i)
		ip := netip.AddrFrom4(b).String()
		if used[ip] {
			continue
		}
		if err := a.t.Put(pool+"/"+ip, allocation{Pool: pool, IP: ip, Owner: owner}); err != nil {
			return "", err
		}
		return ip, nil
	}
	return "", errors.Wrapf(ErrExhausted, "cannot allocate an address in %s", cidr)
}

// Release frees every address owner holds, in every pool.
func (a *IPAM) Release(owner string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	all, err := a.t.List()
	if err != nil {
		return err
	}
	for _, al := range all {
		if al.Owner == owner {
			if err := a.t.Delete(al.Pool + "/" + al.IP); err != nil {
				return err
			}
		}
	}
	return nil
}

// Reset frees every address.
func (a *IPAM) Reset() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.t.Clear()
}
