package azure

import (
	"net/netip"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseRoute(t *testing.T) {
	sub := "/subscriptions/s1"
	cases := map[string]struct {
		path string
		want route
	}{
		"Subscription": {sub, route{Kind: routeSubscription, Sub: "s1"}},
		"Groups":       {sub + "/resourcegroups", route{Kind: routeGroups, Sub: "s1"}},
		"Group":        {sub + "/resourceGroups/rg/", route{Kind: routeGroup, Sub: "s1", Group: "rg"}},
		"Resource": {sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
			route{Kind: routeResource, Sub: "s1", Group: "rg", Provider: "Microsoft.Network", Types: []string{"virtualNetworks"}, Names: []string{"v"}}},
		"Collection": {sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
			route{Kind: routeCollection, Sub: "s1", Group: "rg", Provider: "Microsoft.Network", Types: []string{"virtualNetworks"}}},
		"ChildCollection": {sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets",
			route{Kind: routeCollection, Sub: "s1", Group: "rg", Provider: "Microsoft.Network", Types: []string{"virtualNetworks", "subnets"}, Names: []string{"v"}}},
		"Child": {sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
			route{Kind: routeResource, Sub: "s1", Group: "rg", Provider: "Microsoft.Network", Types: []string{"virtualNetworks", "subnets"}, Names: []string{"v", "a"}}},
		"Action": {sub + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/powerOff",
			route{Kind: routeResource, Sub: "s1", Group: "rg", Provider: "Microsoft.Compute", Types: []string{"virtualMachines"}, Names: []string{"vm"}, Action: "powerOff"}},
		"SubscriptionCollection": {sub + "/providers/Microsoft.Compute/virtualMachines",
			route{Kind: routeCollection, Sub: "s1", Provider: "Microsoft.Compute", Types: []string{"virtualMachines"}}},
		"OperationStatus": {sub + "/providers/Microsoft.Network/locations/westeurope/operationStatuses/op1",
			route{Kind: routeOperation, Sub: "s1", Provider: "Microsoft.Network", OpID: "op1"}},
		"OperationResult": {sub + "/providers/Microsoft.Network/locations/westeurope/operationResults/op1",
			route{Kind: routeOperationResult, Sub: "s1", Provider: "Microsoft.Network", OpID: "op1"}},
		"GroupOperationResult": {sub + "/operationresults/op2", route{Kind: routeOperationResult, Sub: "s1", OpID: "op2"}},
		"NotARM":               {"/tenant/oauth2/v2.0/token", route{}},
		"EmptyName":            {sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks//subnets/a", route{}},
		"GroupResources":       {sub + "/resourceGroups/rg/resources", route{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := parseRoute(tc.path)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nparseRoute(%q): -want, +got:\n%s", name, tc.path, diff)
			}
		})
	}
}

func TestMergePatch(t *testing.T) {
	cases := map[string]struct {
		reason string
		doc    map[string]any
		patch  map[string]any
		want   map[string]any
	}{
		"Replace": {
			reason: "A scalar in the patch replaces the document's.",
			doc:    map[string]any{"a": 1.0, "b": "x"},
			patch:  map[string]any{"a": 2.0},
			want:   map[string]any{"a": 2.0, "b": "x"},
		},
		"Nested": {
			reason: "Objects merge key by key.",
			doc:    map[string]any{"properties": map[string]any{"storage": map[string]any{"size": 32.0}, "version": "15"}},
			patch:  map[string]any{"properties": map[string]any{"storage": map[string]any{"size": 64.0}}},
			want:   map[string]any{"properties": map[string]any{"storage": map[string]any{"size": 64.0}, "version": "15"}},
		},
		"Null": {
			reason: "A null deletes the key.",
			doc:    map[string]any{"tags": map[string]any{"a": "1"}, "b": 1.0},
			patch:  map[string]any{"tags": nil},
			want:   map[string]any{"b": 1.0},
		},
		"Array": {
			reason: "Arrays are replaced whole.",
			doc:    map[string]any{"l": []any{1.0, 2.0}},
			patch:  map[string]any{"l": []any{3.0}},
			want:   map[string]any{"l": []any{3.0}},
		},
		"NewObject": {
			reason: "A patch object on a missing key creates it.",
			doc:    nil,
			patch:  map[string]any{"tags": map[string]any{"a": "1"}},
			want:   map[string]any{"tags": map[string]any{"a": "1"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := mergePatch(tc.doc, tc.patch)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nmergePatch(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	key := []byte("a signing key")
	now := time.Unix(1_700_000_000, 0)
	valid := claims{Audience: "https://management.azure.com", NotBefore: now.Unix() - 10, Expires: now.Unix() + 3600, AppID: "app"}
	tok, err := signToken(key, valid)
	if err != nil {
		t.Fatal(err)
	}
	expired, _ := signToken(key, claims{NotBefore: now.Unix() - 7200, Expires: now.Unix() - 1})
	early, _ := signToken(key, claims{NotBefore: now.Unix() + 60, Expires: now.Unix() + 3600})
	cases := map[string]struct {
		key     []byte
		token   string
		want    claims
		wantErr error
	}{
		"Valid":        {key: key, token: tok, want: valid},
		"OtherKey":     {key: []byte("another key"), token: tok, wantErr: errTokenSignature},
		"Tampered":     {key: key, token: tok[:len(tok)-2] + "xx", wantErr: errTokenSignature},
		"Malformed":    {key: key, token: "not-a-token", wantErr: errTokenMalformed},
		"BadSignature": {key: key, token: "a.b.!!!", wantErr: errTokenMalformed},
		"Expired":      {key: key, token: expired, want: claims{NotBefore: now.Unix() - 7200, Expires: now.Unix() - 1}, wantErr: errTokenExpired},
		"NotYetValid":  {key: key, token: early, want: claims{NotBefore: now.Unix() + 60, Expires: now.Unix() + 3600}, wantErr: errTokenNotYet},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := verifyToken(tc.key, tc.token, now)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("verifyToken(...): -want error, +got:\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("verifyToken(...): -want, +got:\n%s", diff)
			}
		})
	}
}

func TestComplexPassword(t *testing.T) {
	cases := map[string]struct {
		password string
		want     bool
	}{
		"ThreeKinds":  {"Passw0rdxx", true},
		"FourKinds":   {"Pa$$w0rd", true},
		"TwoKinds":    {"password1", false},
		"TooShort":    {"Pa$1", false},
		"SymbolsOnly": {"!!!!!!!!aA", true},
		"Empty":       {"", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, complexPassword(tc.password, 8, 128)); diff != "" {
				t.Errorf("complexPassword(%q): -want, +got:\n%s", tc.password, diff)
			}
		})
	}
}

func TestUsableAddress(t *testing.T) {
	p := netip.MustParsePrefix("10.0.1.0/24")
	cases := map[string]struct {
		ip   string
		want bool
	}{
		"Network":   {"10.0.1.0", false},
		"Gateway":   {"10.0.1.1", false},
		"DNS":       {"10.0.1.3", false},
		"First":     {"10.0.1.4", true},
		"Last":      {"10.0.1.254", true},
		"Broadcast": {"10.0.1.255", false},
		"Outside":   {"10.0.2.4", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, usableAddress(p, netip.MustParseAddr(tc.ip))); diff != "" {
				t.Errorf("usableAddress(%s, %s): -want, +got:\n%s", p, tc.ip, diff)
			}
		})
	}
}

func TestValidateSubnets(t *testing.T) {
	space := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}
	subnet := func(name string, prefixes ...string) armnetwork.Subnet {
		sn := armnetwork.Subnet{Name: new(name), Properties: &armnetwork.SubnetPropertiesFormat{}}
		for _, p := range prefixes {
			sn.Properties.AddressPrefixes = append(sn.Properties.AddressPrefixes, new(p))
		}
		return sn
	}
	cases := map[string]struct {
		subnets []armnetwork.Subnet
		want    string
	}{
		"Valid":     {[]armnetwork.Subnet{subnet("a", "10.0.1.0/24"), subnet("b", "10.0.2.0/24")}, ""},
		"NoPrefix":  {[]armnetwork.Subnet{subnet("a")}, "NoAddressPrefixOrPoolProvided"},
		"HostBits":  {[]armnetwork.Subnet{subnet("a", "10.0.1.1/24")}, "NetcfgInvalidSubnet"},
		"TooSmall":  {[]armnetwork.Subnet{subnet("a", "10.0.1.0/30")}, "NetcfgInvalidSubnet"},
		"Outside":   {[]armnetwork.Subnet{subnet("a", "10.1.0.0/24")}, "NetcfgSubnetRangeOutsideVnet"},
		"Wider":     {[]armnetwork.Subnet{subnet("a", "10.0.0.0/8")}, "NetcfgSubnetRangeOutsideVnet"},
		"Overlap":   {[]armnetwork.Subnet{subnet("a", "10.0.1.0/24"), subnet("b", "10.0.1.128/25")}, "NetcfgSubnetRangesOverlap"},
		"Duplicate": {[]armnetwork.Subnet{subnet("a", "10.0.1.0/24"), subnet("A", "10.0.2.0/24")}, "DuplicateResourceName"},
		"NoName":    {[]armnetwork.Subnet{{Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: new("10.0.1.0/24")}}}, "InvalidRequestFormat"},
		"IPv6":      {[]armnetwork.Subnet{subnet("a", "fd00::/64")}, "NetcfgInvalidSubnet"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := ""
			if e := validateSubnets("vnet", space, tc.subnets); e != nil {
				got = e.Code
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("validateSubnets(...): -want code, +got:\n%s", diff)
			}
		})
	}
}

func TestSameJSON(t *testing.T) {
	cases := map[string]struct {
		a, b any
		want bool
	}{
		"Equal":          {map[string]any{"a": 1}, map[string]any{"a": 1}, true},
		"EmptyIsAbsent":  {map[string]any{"a": 1, "tags": map[string]any{}}, map[string]any{"a": 1}, true},
		"NullIsAbsent":   {map[string]any{"a": 1, "b": nil}, map[string]any{"a": 1}, true},
		"DifferentValue": {map[string]any{"a": 1}, map[string]any{"a": 2}, false},
		"ArrayOrder":     {[]int{1, 2}, []int{2, 1}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, sameJSON(tc.a, tc.b)); diff != "" {
				t.Errorf("sameJSON(...): -want, +got:\n%s", diff)
			}
		})
	}
}
