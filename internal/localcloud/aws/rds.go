package aws

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// An rdsAction serves one RDS action. It returns the content of the
// <ActionResult> element, or nil for actions that answer none.
type rdsAction func(ctx context.Context, c call) (any, error)

// rdsRoutes maps RDS action names to their handlers.
func (s *Service) rdsRoutes() map[string]rdsAction {
	return map[string]rdsAction{
		"CreateDBInstance":       s.createDBInstance,
		"DescribeDBInstances":    s.describeDBInstances,
		"ModifyDBInstance":       s.modifyDBInstance,
		"DeleteDBInstance":       s.deleteDBInstance,
		"StartDBInstance":        s.startDBInstance,
		"StopDBInstance":         s.stopDBInstance,
		"AddTagsToResource":      s.addTagsToResource,
		"RemoveTagsFromResource": s.removeTagsFromResource,
		"ListTagsForResource":    s.listTagsForResource,
		"CreateDBSubnetGroup":    s.createDBSubnetGroup,
		"DescribeDBSubnetGroups": s.describeDBSubnetGroups,
		"ModifyDBSubnetGroup":    s.modifyDBSubnetGroup,
		"DeleteDBSubnetGroup":    s.deleteDBSubnetGroup,
	}
}

// serveRDS authenticates and serves one RDS request.
func (s *Service) serveRDS(w http.ResponseWriter, r *http.Request) {
	reqID := requestID()
	c, aerr := s.authenticate(r, apiRDS)
	if aerr != nil {
		writeRDSError(w, reqID, aerr)
		return
	}
	defer s.recovered(apiRDS, c.Action, func(e *apiError) { writeRDSError(w, reqID, e) })
	act, ok := s.rdsActions[c.Action]
	if !ok || c.Params.str("Version") != rdsVersion {
		writeRDSError(w, reqID, clientError("InvalidAction", "Could not find operation %s for version %s", c.Action, c.Params.str("Version")))
		return
	}
	res, err := s.locked(func() (any, error) {
		if err := s.ensureRegion(c.Region, c.Now); err != nil {
			return nil, err
		}
		return act(r.Context(), c)
	})
	if err != nil {
		writeRDSError(w, reqID, s.asAPIError(apiRDS, c.Action, err))
		return
	}
	if err := writeRDS(w, c.Action, reqID, res); err != nil {
		s.env.Log.Info("Cannot write RDS answer", "action", c.Action, "error", err)
	}
}

// locked runs fn holding the service's lock.
func (s *Service) locked(fn func() (any, error)) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn()
}

// rdsTag is a tag in RDS's shape (and in the tables).
type rdsTag struct {
	Key   string `xml:"Key"   json:"key"`
	Value string `xml:"Value" json:"value"`
}

// rdsTags reads a list of tags sent as Tags.Tag.N.Key/Value, checking them
// as RDS does.
func rdsTags(p params, prefix string) ([]rdsTag, error) {
	structs := p.structs(prefix, "Tag")
	out := make([]rdsTag, 0, len(structs))
	for _, t := range structs {
		k := t.str("Key")
		if k == "" || len(k) > 128 {
			return nil, invalidValue("Tag keys must be between 1 and 128 characters long.")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, invalidValue("Tag keys cannot start with 'aws:': %s", k)
		}
		if len(t.str("Value")) > 256 {
			return nil, invalidValue("Tag values must be at most 256 characters long.")
		}
		out = append(out, rdsTag{Key: k, Value: t.str("Value")})
	}
	return out, nil
}

// maxTags is how many tags RDS and EC2 allow on one resource.
const maxTags = 50

// setTags returns tags with each tag of add set on it: replacing the tag
// with the same key, or appended.
func setTags[T any](tags, add []T, key func(T) string) []T {
	out := append([]T(nil), tags...)
	for _, t := range add {
		if i := slices.IndexFunc(out, func(o T) bool { return key(o) == key(t) }); i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	return out
}

// mergeRDSTags sets add on tags, replacing the values of keys already
// there, and refuses more than 50 tags in all, as RDS does.
func mergeRDSTags(tags, add []rdsTag) ([]rdsTag, error) {
	out := setTags(tags, add, func(t rdsTag) string { return t.Key })
	if len(out) > maxTags {
		return nil, clientError("TagQuotaPerResourceExceeded", "A resource can have at most 50 tags.")
	}
	return out, nil
}

// removeRDSTags removes the tags with keys.
func removeRDSTags(tags []rdsTag, keys []string) []rdsTag {
	out := make([]rdsTag, 0, len(tags))
	for _, t := range tags {
		drop := false
		for _, k := range keys {
			drop = drop || t.Key == k
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

// tagListResult is the result of ListTagsForResource.
type tagListResult struct {
	TagList []rdsTag `xml:"TagList>Tag"`
}

// rdsResource is what an RDS ARN names.
type rdsResource struct {
	Kind string // "db" or "subgrp"
	Name string
}

// parseRDSARN reads an RDS ARN of this account and region.
func (s *Service) parseRDSARN(region, arn string) (rdsResource, error) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != apiRDS || parts[6] == "" {
		return rdsResource{}, invalidValue("The specified resource name does not match an RDS resource in this region.")
	}
	if parts[3] != region || parts[4] != s.account {
		return rdsResource{}, invalidValue("The specified resource name does not match an RDS resource in this region.")
	}
	switch parts[5] {
	case "db", "subgrp":
		return rdsResource{Kind: parts[5], Name: strings.ToLower(parts[6])}, nil
	}
	return rdsResource{}, invalidValue("The local cloud tags DB instances (:db:) and DB subnet groups (:subgrp:) only, not %s.", arn)
}

// rdsARN returns the ARN of an RDS resource.
func (s *Service) rdsARN(region, kind, name string) string {
	return "arn:aws:rds:" + region + ":" + s.account + ":" + kind + ":" + name
}

// taggable finds the tags of the resource an ARN names, and a function
// that stores new ones.
func (s *Service) taggable(c call) ([]rdsTag, func([]rdsTag) error, error) {
	arn := c.Params.str("ResourceName")
	if arn == "" {
		return nil, nil, missing(apiRDS, "ResourceName")
	}
	res, err := s.parseRDSARN(c.Region, arn)
	if err != nil {
		return nil, nil, err
	}
	if res.Kind == "db" {
		key := regionKey(c.Region, res.Name)
		db, ok, err := s.dbs.Get(key)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, dbNotFound(res.Name)
		}
		return db.Tags, func(t []rdsTag) error {
			_, err := s.dbs.Update(key, func(d *dbInstance) error { d.Tags = t; return nil })
			return err
		}, nil
	}
	key := regionKey(c.Region, res.Name)
	g, ok, err := s.subnetGroups.Get(key)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, subnetGroupNotFound(res.Name)
	}
	return g.Tags, func(t []rdsTag) error {
		_, err := s.subnetGroups.Update(key, func(g *dbSubnetGroup) error { g.Tags = t; return nil })
		return err
	}, nil
}

// addTagsToResource adds tags to a DB instance or DB subnet group.
func (s *Service) addTagsToResource(_ context.Context, c call) (any, error) {
	tags, set, err := s.taggable(c)
	if err != nil {
		return nil, err
	}
	add, err := rdsTags(c.Params, "Tags")
	if err != nil {
		return nil, err
	}
	merged, err := mergeRDSTags(tags, add)
	if err != nil {
		return nil, err
	}
	return nil, set(merged)
}

// removeTagsFromResource removes tags by key; absent keys are ignored.
func (s *Service) removeTagsFromResource(_ context.Context, c call) (any, error) {
	tags, set, err := s.taggable(c)
	if err != nil {
		return nil, err
	}
	return nil, set(removeRDSTags(tags, c.Params.strings("TagKeys", "member")))
}

// listTagsForResource lists a resource's tags. RDS does not support its
// Filters parameter, and neither does the local cloud.
func (s *Service) listTagsForResource(_ context.Context, c call) (any, error) {
	tags, _, err := s.taggable(c)
	if err != nil {
		return nil, err
	}
	return tagListResult{TagList: tags}, nil
}

// regionKey is the table key of a resource named per region.
func regionKey(region, name string) string { return region + "/" + name }
