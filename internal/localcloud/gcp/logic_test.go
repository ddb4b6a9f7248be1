package gcp

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sqladmin/v1"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
)

func TestParseFilter(t *testing.T) {
	var res map[string]any
	_ = json.Unmarshal([]byte(`{
		"name": "web-1", "status": "RUNNING", "cpus": 4, "deletionProtection": false,
		"labels": {"env": "prod", "team": "data"},
		"networkInterfaces": [{"networkIP": "10.0.0.5"}, {"networkIP": "10.1.0.7"}],
		"creationTimestamp": "2025-01-02T03:04:05.000-08:00"
	}`), &res)
	cases := map[string]struct {
		reason  string
		filter  string
		want    bool
		wantErr bool
	}{
		"Empty":          {reason: "An empty filter matches everything.", filter: "", want: true},
		"Equal":          {reason: "= compares a field's value.", filter: `name = "web-1"`, want: true},
		"EqualBare":      {reason: "Values need no quotes.", filter: "status = RUNNING", want: true},
		"NotEqual":       {reason: "!= negates =.", filter: "name != web-1", want: false},
		"Glob":           {reason: "* in a value stands for any characters.", filter: `name = "web-*"`, want: true},
		"Label":          {reason: "Dotted paths reach into maps.", filter: "labels.env = prod", want: true},
		"HasKey":         {reason: ": on a map asks for a key.", filter: "labels:team", want: true},
		"HasAny":         {reason: ":* asks whether the field is there.", filter: "labels.owner:*", want: false},
		"Array":          {reason: "Paths look through arrays.", filter: "networkInterfaces.networkIP = 10.1.0.7", want: true},
		"Bool":           {reason: "Booleans compare as true and false.", filter: "deletionProtection = false", want: true},
		"Number":         {reason: "Numbers compare numerically with < and >.", filter: "cpus > 3", want: true},
		"NumberLess":     {reason: "cpus is not less than 4.", filter: "cpus < 4", want: false},
		"Timestamp":      {reason: "Timestamps compare as text.", filter: `creationTimestamp >= "2025-01-01"`, want: true},
		"Regexp":         {reason: "eq takes a regular expression matching the whole value.", filter: "name eq web-[0-9]+", want: true},
		"RegexpPartial":  {reason: "eq matches the whole value only.", filter: "name eq web", want: false},
		"RegexpNot":      {reason: "ne negates eq.", filter: "name ne db-.*", want: true},
		"ImplicitAnd":    {reason: "Juxtaposed conditions must all hold.", filter: `(status = RUNNING) (labels.env = dev)`, want: false},
		"And":            {reason: "AND joins conditions.", filter: "status = RUNNING AND labels.env = prod", want: true},
		"Or":             {reason: "OR needs one condition.", filter: "labels.env = dev OR labels.env = prod", want: true},
		"OrBindsTighter": {reason: "a AND b OR c is a AND (b OR c).", filter: "name = x AND status = RUNNING OR cpus = 4", want: false},
		"Not":            {reason: "NOT negates.", filter: "NOT labels.env = dev", want: true},
		"Minus":          {reason: "- negates.", filter: "-labels.env = prod", want: false},
		"Nested":         {reason: "Parentheses group.", filter: "(name = a OR (labels.team = data AND cpus = 4))", want: true},
		"Missing":        {reason: "A missing field matches nothing.", filter: "zone = x", want: false},
		"Unclosed":       {reason: "Parentheses must close.", filter: "(name = a", wantErr: true},
		"NoValue":        {reason: "A comparison needs a value.", filter: "name =", wantErr: true},
		"NoOperator":     {reason: "A comparison needs an operator.", filter: "name", wantErr: true},
		"BadOperator":    {reason: "Only the known operators.", filter: "name ~ x", wantErr: true},
		"BadRegexp":      {reason: "eq needs a valid expression.", filter: "name eq (", wantErr: true},
		"Unterminated":   {reason: "Quotes must close.", filter: `name = "web`, wantErr: true},
		"TrailingAnd":    {reason: "AND needs a condition after it.", filter: "name = a AND", wantErr: true},
		"BangAlone":      {reason: "! is only part of !=.", filter: "name ! a", wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f, err := parseFilter(tc.filter)
			if diff := cmp.Diff(tc.wantErr, err != nil); diff != "" {
				t.Fatalf("%s\nparseFilter(%q) error %v: -want, +got:\n%s", tc.reason, tc.filter, err, diff)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tc.want, f.match(res)); diff != "" {
				t.Errorf("%s\nmatch(%q): -want, +got:\n%s", tc.reason, tc.filter, diff)
			}
		})
	}
}

func TestMergeObjects(t *testing.T) {
	cases := map[string]struct {
		reason string
		base   string
		patch  string
		want   string
	}{
		"Fields":   {reason: "Fields of the patch replace those of the base; others stay.", base: `{"a":1,"b":2}`, patch: `{"b":3}`, want: `{"a":1,"b":3}`},
		"Nested":   {reason: "Objects merge field by field.", base: `{"s":{"tier":"x","size":"10"}}`, patch: `{"s":{"size":"20"}}`, want: `{"s":{"size":"20","tier":"x"}}`},
		"Arrays":   {reason: "Arrays are replaced whole.", base: `{"flags":[1,2]}`, patch: `{"flags":[3]}`, want: `{"flags":[3]}`},
		"Null":     {reason: "null removes a field, as a label removal.", base: `{"labels":{"a":"1","b":"2"}}`, patch: `{"labels":{"a":null}}`, want: `{"labels":{"b":"2"}}`},
		"NewField": {reason: "Fields the base lacks are added.", base: `{}`, patch: `{"x":{"y":true}}`, want: `{"x":{"y":true}}`},
		"Replace":  {reason: "An object replaces a value of another kind.", base: `{"x":"s"}`, patch: `{"x":{"y":1}}`, want: `{"x":{"y":1}}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			base, _ := decodeObject([]byte(tc.base))
			patch, _ := decodeObject([]byte(tc.patch))
			got, _ := json.Marshal(mergeObjects(base, patch))
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("%s\nmergeObjects(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	cases := map[string]struct {
		reason  string
		req     string
		base    *sqladmin.Settings
		want    func(*sqladmin.Settings) any
		wantVal any
		invalid bool
	}{
		"Defaults": {reason: "Left-out settings get Cloud SQL's defaults.", req: `{"tier":"db-f1-micro"}`,
			want: func(s *sqladmin.Settings) any {
				return []any{s.ActivationPolicy, s.AvailabilityType, s.DataDiskSizeGb, s.DataDiskType, *s.StorageAutoResize, s.IpConfiguration.Ipv4Enabled, s.LocationPreference.Zone}
			},
			wantVal: []any{"ALWAYS", "ZONAL", int64(10), "PD_SSD", true, true, "us-central1-a"}},
		"ExplicitFalse": {reason: "A false sent on purpose is kept.", req: `{"tier":"db-f1-micro","storageAutoResize":false,"ipConfiguration":{"ipv4Enabled":false,"privateNetwork":"projects/p/global/networks/n"}}`,
			want:    func(s *sqladmin.Settings) any { return []any{*s.StorageAutoResize, s.IpConfiguration.Ipv4Enabled} },
			wantVal: []any{false, false}},
		"NoTier":          {reason: "The tier is required.", req: `{}`, invalid: true},
		"PerfTier":        {reason: "Enterprise Plus tiers need that edition.", req: `{"tier":"db-perf-optimized-N-4"}`, invalid: true},
		"PerfTierPlus":    {reason: "With it they are fine.", req: `{"tier":"db-perf-optimized-N-4","edition":"ENTERPRISE_PLUS"}`, want: func(s *sqladmin.Settings) any { return s.Edition }, wantVal: "ENTERPRISE_PLUS"},
		"CustomOddCPUs":   {reason: "Custom tiers take 1 or an even number of vCPUs.", req: `{"tier":"db-custom-3-7680"}`, invalid: true},
		"CustomMemory":    {reason: "Custom memory is bounded per vCPU.", req: `{"tier":"db-custom-1-10240"}`, invalid: true},
		"DiskTooSmall":    {reason: "Disks are at least 10 GB.", req: `{"tier":"db-f1-micro","dataDiskSizeGb":"5"}`, invalid: true},
		"Availability":    {reason: "Availability is ZONAL or REGIONAL.", req: `{"tier":"db-f1-micro","availabilityType":"GLOBAL"}`, invalid: true},
		"ActivationOnDem": {reason: "ON_DEMAND is not for second generation instances.", req: `{"tier":"db-f1-micro","activationPolicy":"ON_DEMAND"}`, invalid: true},
		"BadNetwork":      {reason: "Authorized networks are CIDRs.", req: `{"tier":"db-f1-micro","ipConfiguration":{"ipv4Enabled":true,"authorizedNetworks":[{"value":"everyone"}]}}`, invalid: true},
		"BadLabel":        {reason: "Label keys are lower case.", req: `{"tier":"db-f1-micro","userLabels":{"Team":"x"}}`, invalid: true},
		"BackupTime":      {reason: "Backup start times are HH:MM.", req: `{"tier":"db-f1-micro","backupConfiguration":{"enabled":true,"startTime":"25:00"}}`, invalid: true},
		"BinaryLog":       {reason: "Binary logs are MySQL's.", req: `{"tier":"db-f1-micro","backupConfiguration":{"binaryLogEnabled":true}}`, invalid: true},
		"DuplicateFlag":   {reason: "A flag is set once.", req: `{"tier":"db-f1-micro","databaseFlags":[{"name":"work_mem","value":"1"},{"name":"work_mem","value":"2"}]}`, invalid: true},
		"UnknownField":    {reason: "Unknown fields are refused, as Google does.", req: `{"tier":"db-f1-micro","nonsense":1}`, invalid: true},
		"PatchKeeps": {reason: "A patch keeps what it leaves out.", base: &sqladmin.Settings{Tier: "db-f1-micro", UserLabels: map[string]string{"a": "b"}, Edition: "ENTERPRISE", AvailabilityType: "ZONAL", ActivationPolicy: "ALWAYS", DataDiskType: "PD_SSD", DataDiskSizeGb: 20, PricingPlan: "PER_USE", IpConfiguration: &sqladmin.IpConfiguration{Ipv4Enabled: true}},
			req: `{"tier":"db-g1-small"}`, want: func(s *sqladmin.Settings) any { return []any{s.Tier, s.UserLabels["a"], s.DataDiskSizeGb} }, wantVal: []any{"db-g1-small", "b", int64(20)}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := decodeObject([]byte(tc.req))
			base := tc.base
			if base == nil {
				base = defaultSettings("us-central1")
			}
			s, e := settingsFrom(base, req)
			if e == nil {
				e = validateSettings(s)
			}
			if diff := cmp.Diff(tc.invalid, e != nil); diff != "" {
				t.Fatalf("%s\nsettingsFrom+validateSettings(%s) error %v: -want, +got:\n%s", tc.reason, tc.req, e, diff)
			}
			if e != nil {
				if e.Code != 400 {
					t.Errorf("%s\nerror code: want 400, got %d", tc.reason, e.Code)
				}
				return
			}
			if diff := cmp.Diff(tc.wantVal, tc.want(s)); diff != "" {
				t.Errorf("%s\nsettings: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCatalogue(t *testing.T) {
	cases := map[string]struct {
		reason string
		got    any
		want   any
	}{
		"Zone":                {reason: "us-central1-a is in us-central1.", got: first(zoneRegion("us-central1-a")), want: "us-central1"},
		"UnknownZone":         {reason: "us-central1-e does not exist.", got: second(zoneRegion("us-central1-e")), want: false},
		"NotAZone":            {reason: "A region is not a zone.", got: second(zoneRegion("us-central1")), want: false},
		"MachineType":         {reason: "e2-medium is a machine type.", got: validMachineType("e2-medium"), want: true},
		"CustomMachine":       {reason: "Custom shapes are machine types.", got: validMachineType("n2-custom-4-8192"), want: true},
		"BadCustomMachine":    {reason: "Custom memory must be a multiple of 256 MB.", got: validMachineType("custom-2-1000"), want: false},
		"UnknownMachine":      {reason: "e2-huge does not exist.", got: validMachineType("e2-huge"), want: false},
		"ImageFamily":         {reason: "A family URL resolves.", got: imageOK("projects/debian-cloud/global/images/family/debian-12"), want: "true true"},
		"ImageFullURL":        {reason: "A full URL resolves.", got: imageOK("https://www.googleapis.com/compute/v1/projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts"), want: "true true"},
		"ImageName":           {reason: "An image name resolves.", got: imageOK("projects/debian-cloud/global/images/debian-12-bookworm-v20250610"), want: "true true"},
		"ImageUnknown":        {reason: "An unknown family is well formed but missing.", got: imageOK("projects/debian-cloud/global/images/family/debian-99"), want: "true false"},
		"ImageOtherProject":   {reason: "Families belong to their project.", got: imageOK("projects/ubuntu-os-cloud/global/images/family/debian-12"), want: "true false"},
		"ImageMalformed":      {reason: "A bare name is malformed.", got: imageOK("debian-12"), want: "false false"},
		"TierShared":          {reason: "db-f1-micro suits Enterprise.", got: checkTier("db-f1-micro", "ENTERPRISE"), want: ""},
		"TierSharedPlus":      {reason: "but not Enterprise Plus.", got: checkTier("db-f1-micro", "ENTERPRISE_PLUS") != "", want: true},
		"TierMySQL":           {reason: "db-n1-standard-1 is not a PostgreSQL tier.", got: checkTier("db-n1-standard-1", "ENTERPRISE") != "", want: true},
		"RangeOK":             {reason: "10.0.0.0/24 is a private range.", got: checkRangeOK("10.0.0.0/24"), want: true},
		"RangeCGNAT":          {reason: "100.64.0.0/10 space is allowed.", got: checkRangeOK("100.64.1.0/24"), want: true},
		"RangePublic":         {reason: "Public space is refused.", got: checkRangeOK("8.8.8.0/24"), want: false},
		"RangeTooSmall":       {reason: "/30 is too small.", got: checkRangeOK("10.0.0.0/30"), want: false},
		"RangeHostBits":       {reason: "Host bits must be clear.", got: checkRangeOK("10.0.0.1/24"), want: false},
		"RangeIPv6":           {reason: "Primary ranges are IPv4.", got: checkRangeOK("fd00::/64"), want: false},
		"FingerprintEmpty":    {reason: "Empty labels have Compute Engine's empty fingerprint.", got: fingerprint(map[string]string{}), want: emptyFingerprint},
		"FingerprintChanges":  {reason: "Different labels, different fingerprints.", got: fingerprint(map[string]string{"a": "1"}) != fingerprint(map[string]string{"a": "2"}), want: true},
		"FingerprintIsStable": {reason: "The same labels, the same fingerprint.", got: fingerprint(map[string]string{"a": "1", "b": "2"}) == fingerprint(map[string]string{"b": "2", "a": "1"}), want: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func first[A, B any](a A, _ B) A  { return a }
func second[A, B any](_ A, b B) B { return b }

func imageOK(ref string) string {
	ok, _, found := resolveImage(ref, "my-project")
	return map[bool]string{true: "true", false: "false"}[ok] + " " + map[bool]string{true: "true", false: "false"}[found]
}

func checkRangeOK(cidr string) bool {
	_, e := checkRange(cidr)
	return e == nil
}

func TestPage(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	cases := map[string]struct {
		reason     string
		max, token string
		want       []int
		wantNext   string
		wantErr    bool
	}{
		"All":       {reason: "Without maxResults everything fits.", want: items},
		"FirstPage": {reason: "maxResults bounds a page.", max: "2", want: []int{1, 2}, wantNext: "2"},
		"Middle":    {reason: "The token carries on.", max: "2", token: "2", want: []int{3, 4}, wantNext: "4"},
		"Last":      {reason: "The last page has no token.", max: "2", token: "4", want: []int{5}},
		"BadMax":    {reason: "maxResults is a number.", max: "many", wantErr: true},
		"BadToken":  {reason: "Tokens are ours.", token: "abc", wantErr: true},
		"PastEnd":   {reason: "A token past the end is refused.", token: "9", wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, next, e := page(items, tc.max, tc.token)
			if diff := cmp.Diff(tc.wantErr, e != nil); diff != "" {
				t.Fatalf("%s\npage(...) error: -want, +got:\n%s", tc.reason, diff)
			}
			if e != nil {
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\npage(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantNext, next); diff != "" {
				t.Errorf("%s\npage(...) next: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestMalformedRequests sends what the SDKs never send and checks the
// answers keep Google's error shape.
func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	env := cloudtest.NewEnv(t, "", cloudtest.FastDelays())
	_, srv := serve(t, env, Options{})
	cases := map[string]struct {
		method, path, body string
		wantCode           int
		wantReason         string
	}{
		"SQLNotJSON":         {method: "POST", path: "/v1/projects/p-1/instances", body: "{", wantCode: 400, wantReason: "badRequest"},
		"SQLUnknownField":    {method: "POST", path: "/v1/projects/p-1/instances", body: `{"name":"x","bogus":1}`, wantCode: 400, wantReason: "badRequest"},
		"SQLWrongType":       {method: "POST", path: "/v1/projects/p-1/instances", body: `{"name":5}`, wantCode: 400, wantReason: "badRequest"},
		"SQLSettingsNotObj":  {method: "POST", path: "/v1/projects/p-1/instances", body: `{"name":"x","databaseVersion":"POSTGRES_15","settings":"big"}`, wantCode: 400, wantReason: "badRequest"},
		"SQLBadProject":      {method: "GET", path: "/v1/projects/UPPER/instances", wantCode: 400, wantReason: "badRequest"},
		"SQLUnemulated":      {method: "POST", path: "/v1/projects/p-1/instances/x/clone", body: "{}", wantCode: 501, wantReason: "notImplemented"},
		"SQLv1beta4":         {method: "GET", path: "/sql/v1beta4/projects/p-1/instances/x", wantCode: 404, wantReason: "instanceDoesNotExist"},
		"ComputeNotJSON":     {method: "POST", path: "/compute/v1/projects/p-1/global/networks", body: "[", wantCode: 400, wantReason: "badRequest"},
		"ComputeUnknown":     {method: "POST", path: "/compute/v1/projects/p-1/global/networks", body: `{"name":"n","color":"red"}`, wantCode: 400, wantReason: "badRequest"},
		"ComputeUnknownVerb": {method: "POST", path: "/compute/v1/projects/p-1/zones/us-central1-a/instances/x/reset", wantCode: 501, wantReason: "notImplemented"},
		"ComputeUnemulated":  {method: "GET", path: "/compute/v1/projects/p-1/zones/us-central1-a/disks", wantCode: 501, wantReason: "notImplemented"},
		"ComputeBadRegion":   {method: "GET", path: "/compute/v1/projects/p-1/regions/nowhere/subnetworks", wantCode: 400, wantReason: "invalid"},
		"ComputeBadMax":      {method: "GET", path: "/compute/v1/projects/p-1/global/networks?maxResults=x", wantCode: 400, wantReason: "invalid"},
		"ComputeBadOrder":    {method: "GET", path: "/compute/v1/projects/p-1/global/networks?orderBy=id", wantCode: 400, wantReason: "invalid"},
		"ComputeBadRequest":  {method: "POST", path: "/compute/v1/projects/p-1/global/networks?requestId=" + strings.Repeat("x", 200), body: "{}", wantCode: 400, wantReason: "invalid"},
		"UnknownPath":        {method: "GET", path: "/storage/v1/b", wantCode: 404, wantReason: "notFound"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body errorBody
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("%s %s: the error is not Google's JSON: %v", tc.method, tc.path, err)
			}
			got := apiErr{Code: resp.StatusCode}
			if len(body.Error.Errors) > 0 {
				got.Reason = body.Error.Errors[0].Reason
			}
			if diff := cmp.Diff(apiErr{Code: tc.wantCode, Reason: tc.wantReason}, got); diff != "" {
				t.Errorf("%s %s: -want, +got:\n%s", tc.method, tc.path, diff)
			}
			if body.Error.Code != resp.StatusCode || body.Error.Status == "" || body.Error.Message == "" {
				t.Errorf("error body: %+v", body.Error)
			}
		})
	}
}
