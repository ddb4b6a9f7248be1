package aws

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParams(t *testing.T) {
	t.Parallel()
	body := "Action=X&SubnetIds.SubnetIdentifier.2=b&SubnetIds.SubnetIdentifier.1=a&InstanceId.1=i-1&InstanceId.10=i-10&InstanceId.2=i-2" +
		"&Filters.Filter.1.Name=engine&Filters.Filter.1.Values.Value.1=postgres&Filter.1.Name=tag%3Aapp&Filter.1.Value.1=web&Filter.1.Value.2=db" +
		"&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0%2F16&IpPermissions.1.IpRanges.2.CidrIp=10.1.0.0%2F16" +
		"&EnableDnsSupport.Value=true&Empty=&Port=5432&Bad=x&NetworkInterface.1.SubnetId=subnet-1&NetworkInterface.1.SecurityGroupId.1=sg-1"
	p, err := parseParams(body)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Subnets     []string
		Instances   []string
		RDSFilters  []params
		EC2Filters  []ec2Filter
		RangesOf1   []params
		DNS         *bool
		Port        *int32
		BadErr      bool
		NIC         params
		NICGroups   []string
		MissingList []string
		HasEmpty    bool
	}
	g := got{
		Subnets:     p.strings("SubnetIds", "SubnetIdentifier"),
		Instances:   p.strings("InstanceId", ""),
		RDSFilters:  p.structs("Filters", "Filter"),
		EC2Filters:  readFilters(p),
		MissingList: p.strings("Nothing", ""),
		HasEmpty:    p.has("Empty"),
	}
	g.RangesOf1 = p.structs("IpPermissions", "")[0].structs("IpRanges", "")
	g.DNS, _ = p.optBool("EnableDnsSupport.Value")
	g.Port, _ = p.optInt("Port")
	_, err = p.optInt("Bad")
	g.BadErr = err != nil
	g.NIC = p.sub("NetworkInterface.1")
	g.NICGroups = g.NIC.strings("SecurityGroupId", "")
	tr, port := true, int32(5432)
	want := got{
		Subnets:    []string{"a", "b"},
		Instances:  []string{"i-1", "i-2", "i-10"},
		RDSFilters: []params{{"Name": "engine", "Values.Value.1": "postgres"}},
		EC2Filters: []ec2Filter{{Name: "tag:app", Values: []string{"web", "db"}}},
		RangesOf1:  []params{{"CidrIp": "10.0.0.0/16"}, {"CidrIp": "10.1.0.0/16"}},
		DNS:        &tr,
		Port:       &port,
		BadErr:     true,
		NIC:        params{"SubnetId": "subnet-1", "SecurityGroupId.1": "sg-1"},
		NICGroups:  []string{"sg-1"},
		HasEmpty:   true,
	}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("params: -want, +got:\n%s", diff)
	}
}

func TestGlob(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		patterns []string
		values   []string
		want     bool
	}{
		"Exact":      {patterns: []string{"web"}, values: []string{"web"}, want: true},
		"Star":       {patterns: []string{"ubuntu/*22.04*"}, values: []string{"ubuntu/images/ubuntu-jammy-22.04-amd64"}, want: true},
		"Question":   {patterns: []string{"t3.?"}, values: []string{"t3.x"}, want: true},
		"NoMatch":    {patterns: []string{"web"}, values: []string{"db"}, want: false},
		"Escaped":    {patterns: []string{`a\*`}, values: []string{"ab"}, want: false},
		"Regexp":     {patterns: []string{"a.c"}, values: []string{"abc"}, want: false},
		"AnyOfMany":  {patterns: []string{"x", "y"}, values: []string{"z", "y"}, want: true},
		"NoValues":   {patterns: []string{"*"}, values: nil, want: false},
		"EmptyValue": {patterns: []string{""}, values: []string{""}, want: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := globAny(tc.patterns, tc.values); got != tc.want {
				t.Errorf("globAny(%q, %q): want %v, got %v", tc.patterns, tc.values, tc.want, got)
			}
		})
	}
}

func TestZoneID(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"us-east-1a": "use1-az1",
		"us-east-1f": "use1-az6",
		"eu-west-2b": "euw2-az2",
		"":           "",
		"x":          "",
	}
	for zone, want := range cases {
		if got := zoneID(zone); got != want {
			t.Errorf("zoneID(%s): want %s, got %s", zone, want, got)
		}
	}
}
