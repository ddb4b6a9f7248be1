package aws

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// An ec2Action serves one EC2 action.
type ec2Action func(ctx context.Context, c call) (ec2Body, error)

// ec2ActionNames are the EC2 actions the service serves; unsigned requests
// are routed by them when they carry no Version.
var ec2ActionNames = map[string]struct{}{}

func init() {
	for k := range (&Service{}).ec2Routes() {
		ec2ActionNames[k] = struct{}{}
	}
}

// ec2Routes maps EC2 action names to their handlers.
func (s *Service) ec2Routes() map[string]ec2Action {
	return map[string]ec2Action{
		"CreateVpc":            s.createVpc,
		"DescribeVpcs":         s.describeVpcs,
		"ModifyVpcAttribute":   s.modifyVpcAttribute,
		"DescribeVpcAttribute": s.describeVpcAttribute,
		"DeleteVpc":            s.deleteVpc,

		"CreateSubnet":          s.createSubnet,
		"DescribeSubnets":       s.describeSubnets,
		"ModifySubnetAttribute": s.modifySubnetAttribute,
		"DeleteSubnet":          s.deleteSubnet,

		"CreateSecurityGroup":                        s.createSecurityGroup,
		"DescribeSecurityGroups":                     s.describeSecurityGroups,
		"AuthorizeSecurityGroupIngress":              s.authorizeIngress,
		"AuthorizeSecurityGroupEgress":               s.authorizeEgress,
		"RevokeSecurityGroupIngress":                 s.revokeIngress,
		"RevokeSecurityGroupEgress":                  s.revokeEgress,
		"UpdateSecurityGroupRuleDescriptionsIngress": s.describeIngress,
		"UpdateSecurityGroupRuleDescriptionsEgress":  s.describeEgress,
		"DeleteSecurityGroup":                        s.deleteSecurityGroup,

		"RunInstances":            s.runInstances,
		"DescribeInstances":       s.describeInstances,
		"ModifyInstanceAttribute": s.modifyInstanceAttribute,
		"StopInstances":           s.stopInstances,
		"StartInstances":          s.startInstances,
		"TerminateInstances":      s.terminateInstances,

		"CreateTags":   s.createTags,
		"DeleteTags":   s.deleteTags,
		"DescribeTags": s.describeTags,

		"DescribeImages":            s.describeImages,
		"DescribeAvailabilityZones": s.describeAvailabilityZones,
	}
}

// serveEC2 authenticates and serves one EC2 request.
func (s *Service) serveEC2(w http.ResponseWriter, r *http.Request) {
	reqID := requestID()
	c, aerr := s.authenticate(r, apiEC2)
	if aerr != nil {
		writeEC2Error(w, reqID, aerr)
		return
	}
	defer s.recovered(apiEC2, c.Action, func(e *apiError) { writeEC2Error(w, reqID, e) })
	act, ok := s.ec2Actions[c.Action]
	if !ok {
		writeEC2Error(w, reqID, clientError("InvalidAction", "The action %s is not valid for this web service.", c.Action))
		return
	}
	if dry, _ := c.Params.optBool("DryRun"); dry != nil && *dry {
		writeEC2Error(w, reqID, newError(http.StatusPreconditionFailed, "DryRunOperation", "Request would have succeeded, but DryRun flag is set."))
		return
	}
	res, err := s.locked(func() (any, error) {
		if err := s.ensureRegion(c.Region, c.Now); err != nil {
			return nil, err
		}
		return act(r.Context(), c)
	})
	if err != nil {
		writeEC2Error(w, reqID, s.asAPIError(apiEC2, c.Action, err))
		return
	}
	body, _ := res.(ec2Body)
	if body == nil {
		body = &ec2Return{Return: true}
	}
	if err := writeEC2(w, c.Action, reqID, body); err != nil {
		s.env.Log.Info("Cannot write EC2 answer", "action", c.Action, "error", err)
	}
}

// newID returns a fresh EC2 resource ID such as vpc-0123456789abcdef0.
func newID(prefix string) string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])[:17]
}

// randomUpper returns n random upper-case letters and digits.
func randomUpper(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// ec2Time formats a time as EC2 does.
func ec2Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// An ec2Tag is a tag in EC2's shape (and in the tables).
type ec2Tag struct {
	Key   string `xml:"key"   json:"key"`
	Value string `xml:"value" json:"value"`
}

// A tagSet is the tags of a resource in an EC2 answer. EC2 leaves the
// element out when there are none, so clients see no tags rather than an
// empty list.
type tagSet []ec2Tag

// MarshalXML writes the tags as <tagSet><item>..., or nothing.
func (t tagSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if len(t) == 0 {
		return nil
	}
	return e.EncodeElement(struct {
		Items []ec2Tag `xml:"item"`
	}{Items: t}, start)
}

// checkEC2Tag checks a tag as EC2 does.
func checkEC2Tag(t ec2Tag) error {
	if t.Key == "" || len(t.Key) > 127 {
		return invalidValue("Tag keys must be between 1 and 127 characters long.")
	}
	if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
		return invalidValue("Tag keys starting with 'aws:' are reserved for internal use")
	}
	if len(t.Value) > 255 {
		return invalidValue("Tag values must be at most 255 characters long.")
	}
	return nil
}

// readEC2Tags reads a flat list of tags (Tag.N.Key/Value).
func readEC2Tags(p params, prefix string) ([]ec2Tag, error) {
	structs := p.structs(prefix, "")
	out := make([]ec2Tag, 0, len(structs))
	for _, t := range structs {
		tag := ec2Tag{Key: t.str("Key"), Value: t.str("Value")}
		if err := checkEC2Tag(tag); err != nil {
			return nil, err
		}
		out = append(out, tag)
	}
	return out, nil
}

// mergeEC2Tags sets add on tags and refuses more than 50 in all.
func mergeEC2Tags(tags, add []ec2Tag) ([]ec2Tag, error) {
	out := setTags(tags, add, func(t ec2Tag) string { return t.Key })
	if len(out) > maxTags {
		return nil, clientError("TagLimitExceeded", "The maximum number of tags (50) per resource has been reached.")
	}
	return out, nil
}

// tagSpecs reads TagSpecification.N and returns the tags per resource type,
// refusing types the action cannot tag.
func tagSpecs(p params, allowed ...string) (map[string][]ec2Tag, error) {
	out := map[string][]ec2Tag{}
	for _, spec := range p.structs("TagSpecification", "") {
		rt := spec.str("ResourceType")
		ok := false
		for _, a := range allowed {
			ok = ok || rt == a
		}
		if !ok {
			return nil, invalidValue("'%s' is not a valid taggable resource type for this operation.", rt)
		}
		tags, err := readEC2Tags(spec, "Tag")
		if err != nil {
			return nil, err
		}
		merged, err := mergeEC2Tags(out[rt], tags)
		if err != nil {
			return nil, err
		}
		out[rt] = merged
	}
	return out, nil
}

// An ec2Filter is one Filter.N of a Describe call.
type ec2Filter struct {
	Name   string
	Values []string
}

// readFilters reads Filter.N.Name and Filter.N.Value.M.
func readFilters(p params) []ec2Filter {
	structs := p.structs("Filter", "")
	out := make([]ec2Filter, 0, len(structs))
	for _, f := range structs {
		out = append(out, ec2Filter{Name: f.str("Name"), Values: f.strings("Value", "")})
	}
	return out
}

// A fieldFunc returns the values a resource has for a filter name, and
// whether the name is one the action knows.
type fieldFunc func(name string) ([]string, bool)

// fields answers filter names from a map of them.
func fields(m map[string][]string) fieldFunc {
	return func(name string) ([]string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// matches reports whether a resource with tags passes every filter: values
// of one filter are alternatives, filters all apply. tag:KEY, tag-key and
// tag-value work for every resource; other names are asked of field.
func matches(filters []ec2Filter, tags []ec2Tag, field fieldFunc) (bool, error) {
	for _, f := range filters {
		var have []string
		switch {
		case strings.HasPrefix(f.Name, "tag:"):
			for _, t := range tags {
				if t.Key == strings.TrimPrefix(f.Name, "tag:") {
					have = append(have, t.Value)
				}
			}
		case f.Name == "tag-key":
			for _, t := range tags {
				have = append(have, t.Key)
			}
		case f.Name == "tag-value":
			for _, t := range tags {
				have = append(have, t.Value)
			}
		default:
			v, ok := field(f.Name)
			if !ok {
				return false, invalidValue("The filter '%s' is invalid", f.Name)
			}
			have = v
		}
		if !globAny(f.Values, have) {
			return false, nil
		}
	}
	return true, nil
}

// globAny reports whether any value matches any pattern; patterns may use
// * (any run) and ? (any one character), as EC2 filters do.
func globAny(patterns, values []string) bool {
	for _, p := range patterns {
		if slices.ContainsFunc(values, globRegexp(p).MatchString) {
			return true
		}
	}
	return false
}

func globRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	escaped := false
	for _, r := range p {
		switch {
		case escaped:
			b.WriteString(regexp.QuoteMeta(string(r)))
			escaped = false
		case r == '\\':
			escaped = true
		case r == '*':
			b.WriteString(".*")
		case r == '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// boolString formats a boolean as EC2 filters compare it.
func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// ec2Page cuts a page out of items sorted by key: after NextToken, at most
// MaxResults (5 to 1000; all when unset). idsGiven says the request named
// resources, with which EC2 refuses MaxResults.
func ec2Page[T any](p params, items []T, key func(T) string, idsGiven bool) ([]T, string, error) {
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	m, err := p.optInt("MaxResults")
	if err != nil {
		return nil, "", err
	}
	start := 0
	if tok := p.str("NextToken"); tok != "" {
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > tok })
	}
	if m == nil {
		return items[start:], "", nil
	}
	if idsGiven {
		return nil, "", invalidCombination("The parameter MaxResults cannot be used with resource IDs. Use filters instead.")
	}
	if *m < 5 || *m > 1000 {
		return nil, "", invalidValue("Value ( %d ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", *m)
	}
	end := min(start+int(*m), len(items))
	if end < len(items) {
		return items[start:end], key(items[end-1]), nil
	}
	return items[start:end], "", nil
}

// notFoundIDs returns EC2's error for IDs that do not exist, naming them
// all as EC2 does.
func notFoundIDs(code, what string, ids []string) error {
	if len(ids) == 1 {
		return clientError(code, "The %s ID '%s' does not exist", what, ids[0])
	}
	return clientError(code, "The %s IDs '%s' do not exist", what, strings.Join(ids, ", "))
}
