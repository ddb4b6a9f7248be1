package aws

import (
	"context"
	"sort"
	"strings"
)

// A tagged is a resource EC2's tag actions reach: its ID, its type as
// DescribeTags names it, and how to read and write its tags.
type tagged struct {
	ID   string
	Type string
	Tags []ec2Tag
	set  func(tags []ec2Tag) error
}

// taggedByID finds the resource an ID names, by its prefix.
func (s *Service) taggedByID(region, id string) (tagged, error) {
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "vpc":
		v, err := s.getVPC(region, id)
		if err != nil {
			return tagged{}, err
		}
		return tagged{ID: id, Type: "vpc", Tags: v.Tags, set: func(t []ec2Tag) error { v.Tags = t; return s.vpcs.Put(id, v) }}, nil
	case "subnet":
		sn, err := s.getSubnet(region, id)
		if err != nil {
			return tagged{}, err
		}
		return tagged{ID: id, Type: "subnet", Tags: sn.Tags, set: func(t []ec2Tag) error { sn.Tags = t; return s.subnets.Put(id, sn) }}, nil
	case "sg":
		g, err := s.getGroup(region, id)
		if err != nil {
			return tagged{}, err
		}
		return tagged{ID: id, Type: "security-group", Tags: g.Tags, set: func(t []ec2Tag) error { g.Tags = t; return s.groups.Put(id, g) }}, nil
	case "i":
		ins, err := s.getInstances(region, []string{id})
		if err != nil {
			return tagged{}, err
		}
		in := ins[0]
		return tagged{ID: id, Type: "instance", Tags: in.Tags, set: func(t []ec2Tag) error { in.Tags = t; return s.instances.Put(id, in) }}, nil
	case "vol":
		all, err := s.instances.List()
		if err != nil {
			return tagged{}, err
		}
		for _, in := range all {
			if in.Volume == id && in.Region == region && in.State != stateTerminated {
				return tagged{ID: id, Type: "volume", Tags: in.VolumeTags, set: func(t []ec2Tag) error { in.VolumeTags = t; return s.instances.Put(in.ID, in) }}, nil
			}
		}
		return tagged{}, clientError("InvalidVolume.NotFound", "The volume '%s' does not exist.", id)
	}
	return tagged{}, clientError("InvalidID", "The ID '%s' is not valid", id)
}

// allTagged lists every taggable resource of a region.
func (s *Service) allTagged(region string) ([]tagged, error) {
	var out []tagged //nolint:prealloc // Four tables add to it; their sizes are not known up front.
	vpcs, err := s.vpcs.List()
	if err != nil {
		return nil, err
	}
	for _, v := range vpcs {
		if v.Region == region {
			out = append(out, tagged{ID: v.ID, Type: "vpc", Tags: v.Tags})
		}
	}
	subnets, err := s.subnets.List()
	if err != nil {
		return nil, err
	}
	for _, sn := range subnets {
		if sn.Region == region {
			out = append(out, tagged{ID: sn.ID, Type: "subnet", Tags: sn.Tags})
		}
	}
	groups, err := s.groups.List()
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if g.Region == region {
			out = append(out, tagged{ID: g.ID, Type: "security-group", Tags: g.Tags})
		}
	}
	ins, err := s.instances.List()
	if err != nil {
		return nil, err
	}
	for _, in := range ins {
		if in.Region != region {
			continue
		}
		out = append(out, tagged{ID: in.ID, Type: "instance", Tags: in.Tags})
		if in.State != stateTerminated {
			out = append(out, tagged{ID: in.Volume, Type: "volume", Tags: in.VolumeTags})
		}
	}
	return out, nil
}

// createTags sets tags on resources; all must exist, or none is tagged.
func (s *Service) createTags(_ context.Context, c call) (ec2Body, error) {
	ids := c.Params.strings("ResourceId", "")
	if len(ids) == 0 {
		return nil, missing(apiEC2, "ResourceId")
	}
	tags, err := readEC2Tags(c.Params, "Tag")
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, missing(apiEC2, "Tag")
	}
	targets := make([]tagged, 0, len(ids))
	merged := make([][]ec2Tag, 0, len(ids))
	for _, id := range ids {
		t, err := s.taggedByID(c.Region, id)
		if err != nil {
			return nil, err
		}
		m, err := mergeEC2Tags(t.Tags, tags)
		if err != nil {
			return nil, err
		}
		targets, merged = append(targets, t), append(merged, m)
	}
	for i, t := range targets {
		if err := t.set(merged[i]); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// deleteTags removes tags from resources: the keys given (only where the
// value matches, when one is given), or every tag when none is.
func (s *Service) deleteTags(_ context.Context, c call) (ec2Body, error) {
	ids := c.Params.strings("ResourceId", "")
	if len(ids) == 0 {
		return nil, missing(apiEC2, "ResourceId")
	}
	targets := make([]tagged, 0, len(ids))
	for _, id := range ids {
		t, err := s.taggedByID(c.Region, id)
		if err != nil {
			return nil, err
		}
		targets = append(targets, t)
	}
	drop := c.Params.structs("Tag", "")
	for _, d := range drop {
		if strings.HasPrefix(strings.ToLower(d.str("Key")), "aws:") {
			return nil, invalidValue("Tag keys starting with 'aws:' are reserved for internal use")
		}
	}
	for _, t := range targets {
		var keep []ec2Tag
		for _, tag := range t.Tags {
			gone := len(drop) == 0
			for _, d := range drop {
				if d.str("Key") == tag.Key && (!d.has("Value") || d.str("Value") == tag.Value) {
					gone = true
				}
			}
			if !gone {
				keep = append(keep, tag)
			}
		}
		if err := t.set(keep); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

type tagDescriptionXML struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

type describeTagsResponse struct {
	ec2Meta

	TagSet    []tagDescriptionXML `xml:"tagSet>item"`
	NextToken string              `xml:"nextToken,omitempty"`
}

// describeTags lists the region's tags, one entry per resource and key.
func (s *Service) describeTags(_ context.Context, c call) (ec2Body, error) {
	filters := readFilters(c.Params)
	all, err := s.allTagged(c.Region)
	if err != nil {
		return nil, err
	}
	var out []tagDescriptionXML
	for _, r := range all {
		for _, t := range r.Tags {
			ok, err := matches(filters, r.Tags, fields(map[string][]string{
				"resource-id": {r.ID}, "resource-type": {r.Type}, "key": {t.Key}, "value": {t.Value},
			}))
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, tagDescriptionXML{ResourceID: r.ID, ResourceType: r.Type, Key: t.Key, Value: t.Value})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ResourceID != out[j].ResourceID {
			return out[i].ResourceID < out[j].ResourceID
		}
		return out[i].Key < out[j].Key
	})
	page, next, err := ec2Page(c.Params, out, func(t tagDescriptionXML) string { return t.ResourceID + " " + t.Key }, false)
	if err != nil {
		return nil, err
	}
	return &describeTagsResponse{TagSet: page, NextToken: next}, nil
}
