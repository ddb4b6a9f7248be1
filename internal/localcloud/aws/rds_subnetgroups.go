package aws

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// defaultSubnetGroupName is the DB subnet group RDS makes of the default
// VPC's subnets for instances created without one.
const defaultSubnetGroupName = "default"

// A dbSubnetGroup is an RDS DB subnet group, as stored.
type dbSubnetGroup struct {
	Region      string        `json:"region"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	VpcID       string        `json:"vpcId"`
	Subnets     []groupSubnet `json:"subnets"`
	Tags        []rdsTag      `json:"tags,omitempty"`
}

// A groupSubnet is a subnet of a DB subnet group and its zone.
type groupSubnet struct {
	ID   string `json:"id"`
	Zone string `json:"zone"`
}

// dbSubnetGroupXML is a DB subnet group in RDS's answers.
type dbSubnetGroupXML struct {
	DBSubnetGroupName        string      `xml:"DBSubnetGroupName"`
	DBSubnetGroupDescription string      `xml:"DBSubnetGroupDescription"`
	VpcID                    string      `xml:"VpcId"`
	SubnetGroupStatus        string      `xml:"SubnetGroupStatus"`
	Subnets                  []subnetXML `xml:"Subnets>Subnet"`
	DBSubnetGroupArn         string      `xml:"DBSubnetGroupArn,omitempty"`
	SupportedNetworkTypes    []string    `xml:"SupportedNetworkTypes>member"`
}

type subnetXML struct {
	SubnetIdentifier       string `xml:"SubnetIdentifier"`
	SubnetAvailabilityZone struct {
		Name string `xml:"Name"`
	} `xml:"SubnetAvailabilityZone"`
	SubnetStatus string `xml:"SubnetStatus"`
}

type dbSubnetGroupResult struct {
	DBSubnetGroup dbSubnetGroupXML `xml:"DBSubnetGroup"`
}

type describeDBSubnetGroupsResult struct {
	DBSubnetGroups []dbSubnetGroupXML `xml:"DBSubnetGroups>DBSubnetGroup"`
	Marker         string             `xml:"Marker,omitempty"`
}

// subnetGroupXML returns the group as RDS describes it.
func (s *Service) subnetGroupXML(g dbSubnetGroup) dbSubnetGroupXML {
	x := dbSubnetGroupXML{
		DBSubnetGroupName:        g.Name,
		DBSubnetGroupDescription: g.Description,
		VpcID:                    g.VpcID,
		SubnetGroupStatus:        "Complete",
		DBSubnetGroupArn:         s.rdsARN(g.Region, "subgrp", g.Name),
		SupportedNetworkTypes:    []string{"IPV4"},
	}
	for _, sn := range g.Subnets {
		sx := subnetXML{SubnetIdentifier: sn.ID, SubnetStatus: "Active"}
		sx.SubnetAvailabilityZone.Name = sn.Zone
		x.Subnets = append(x.Subnets, sx)
	}
	return x
}

// subnetGroupName is RDS's rule for DB subnet group names.
var subnetGroupName = regexp.MustCompile(`^[a-zA-Z0-9 ._-]{1,255}$`)

// subnetGroupNotFound is RDS's answer for an unknown DB subnet group.
func subnetGroupNotFound(name string) error {
	return newError(http.StatusNotFound, "DBSubnetGroupNotFoundFault", "DB subnet group '%s' does not exist.", name)
}

// groupSubnets checks the subnets of a DB subnet group: they exist in the
// region, share one VPC and cover at least two availability zones.
func (s *Service) groupSubnets(region string, ids []string) ([]groupSubnet, string, error) {
	if len(ids) == 0 {
		return nil, "", missing(apiRDS, "SubnetIds")
	}
	out := make([]groupSubnet, 0, len(ids))
	vpcID := ""
	zones := map[string]bool{}
	for _, id := range ids {
		sn, ok, err := s.subnets.Get(id)
		if err != nil {
			return nil, "", err
		}
		if !ok || sn.Region != region {
			return nil, "", clientError("InvalidSubnet", "Some input subnets in :[%s] are invalid.", strings.Join(ids, ", "))
		}
		if vpcID != "" && sn.VpcID != vpcID {
			return nil, "", clientError("InvalidSubnet", "Subnets %s are not all in the same VPC.", strings.Join(ids, ", "))
		}
		vpcID = sn.VpcID
		if slices.ContainsFunc(out, func(g groupSubnet) bool { return g.ID == id }) {
			continue
		}
		out = append(out, groupSubnet{ID: id, Zone: sn.Zone})
		zones[sn.Zone] = true
	}
	if len(zones) < 2 {
		var z []string
		for k := range zones {
			z = append(z, k)
		}
		sort.Strings(z)
		return nil, "", clientError("DBSubnetGroupDoesNotCoverEnoughAZs",
			"The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: %s. Add subnets to cover at least 2 AZs.", strings.Join(z, ", "))
	}
	return out, vpcID, nil
}

// createDBSubnetGroup creates a DB subnet group.
func (s *Service) createDBSubnetGroup(_ context.Context, c call) (any, error) {
	p := c.Params
	name := strings.ToLower(p.str("DBSubnetGroupName"))
	if name == "" {
		return nil, missing(apiRDS, "DBSubnetGroupName")
	}
	if !subnetGroupName.MatchString(name) {
		return nil, invalidValue("The parameter DBSubnetGroupName is not a valid identifier. It must contain only ASCII letters, digits, spaces, periods, underscores and hyphens, and be at most 255 characters long.")
	}
	if name == defaultSubnetGroupName {
		return nil, invalidValue("DBSubnetGroupName %s is reserved.", name)
	}
	if !p.has("DBSubnetGroupDescription") {
		return nil, missing(apiRDS, "DBSubnetGroupDescription")
	}
	tags, err := rdsTags(p, "Tags")
	if err != nil {
		return nil, err
	}
	key := regionKey(c.Region, name)
	if _, ok, err := s.subnetGroups.Get(key); err != nil {
		return nil, err
	} else if ok {
		return nil, clientError("DBSubnetGroupAlreadyExists", "The DB subnet group '%s' already exists.", name)
	}
	subnets, vpcID, err := s.groupSubnets(c.Region, p.strings("SubnetIds", "SubnetIdentifier"))
	if err != nil {
		return nil, err
	}
	g := dbSubnetGroup{Region: c.Region, Name: name, Description: p.str("DBSubnetGroupDescription"), VpcID: vpcID, Subnets: subnets, Tags: tags}
	if _, err := s.subnetGroups.Create(key, g); err != nil {
		return nil, err
	}
	return dbSubnetGroupResult{DBSubnetGroup: s.subnetGroupXML(g)}, nil
}

// defaultSubnetGroup returns the region's default DB subnet group, made of
// the default VPC's subnets the first time it is needed.
func (s *Service) defaultSubnetGroup(region string) (dbSubnetGroup, error) {
	key := regionKey(region, defaultSubnetGroupName)
	if g, ok, err := s.subnetGroups.Get(key); err != nil || ok {
		return g, err
	}
	rs, _, err := s.regions.Get(region)
	if err != nil {
		return dbSubnetGroup{}, err
	}
	all, err := s.subnets.List()
	if err != nil {
		return dbSubnetGroup{}, err
	}
	g := dbSubnetGroup{Region: region, Name: defaultSubnetGroupName, Description: defaultSubnetGroupName, VpcID: rs.DefaultVPC}
	for _, sn := range all {
		if sn.VpcID == rs.DefaultVPC && sn.Region == region {
			g.Subnets = append(g.Subnets, groupSubnet{ID: sn.ID, Zone: sn.Zone})
		}
	}
	if len(g.Subnets) == 0 {
		return dbSubnetGroup{}, clientError("DBSubnetGroupNotFoundFault", "The region has no default VPC with subnets; name a DB subnet group.")
	}
	_, err = s.subnetGroups.Create(key, g)
	return g, err
}

// describeDBSubnetGroups describes one group, or all of the region's.
func (s *Service) describeDBSubnetGroups(_ context.Context, c call) (any, error) {
	p := c.Params
	if f := p.structs("Filters", "Filter"); len(f) > 0 {
		return nil, invalidValue("Unrecognized filter name: %s.", f[0].str("Name"))
	}
	if name := strings.ToLower(p.str("DBSubnetGroupName")); name != "" {
		g, ok, err := s.subnetGroups.Get(regionKey(c.Region, name))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, subnetGroupNotFound(name)
		}
		return describeDBSubnetGroupsResult{DBSubnetGroups: []dbSubnetGroupXML{s.subnetGroupXML(g)}}, nil
	}
	all, err := s.subnetGroups.List()
	if err != nil {
		return nil, err
	}
	var mine []dbSubnetGroup
	for _, g := range all {
		if g.Region == c.Region {
			mine = append(mine, g)
		}
	}
	page, marker, err := rdsPage(p, mine, func(g dbSubnetGroup) string { return g.Name })
	if err != nil {
		return nil, err
	}
	out := describeDBSubnetGroupsResult{DBSubnetGroups: []dbSubnetGroupXML{}, Marker: marker}
	for _, g := range page {
		out.DBSubnetGroups = append(out.DBSubnetGroups, s.subnetGroupXML(g))
	}
	return out, nil
}

// instancesUsing returns the DB instances in a subnet group.
func (s *Service) instancesUsing(region, group string) ([]dbInstance, error) {
	all, err := s.dbs.List()
	if err != nil {
		return nil, err
	}
	var out []dbInstance
	for _, db := range all {
		if db.Region == region && db.SubnetGroup == group {
			out = append(out, db)
		}
	}
	return out, nil
}

// modifyDBSubnetGroup replaces a group's subnets (and description). The
// subnets instances live in must stay, in the same VPC.
func (s *Service) modifyDBSubnetGroup(_ context.Context, c call) (any, error) {
	p := c.Params
	name := strings.ToLower(p.str("DBSubnetGroupName"))
	if name == "" {
		return nil, missing(apiRDS, "DBSubnetGroupName")
	}
	key := regionKey(c.Region, name)
	g, ok, err := s.subnetGroups.Get(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, subnetGroupNotFound(name)
	}
	subnets, vpcID, err := s.groupSubnets(c.Region, p.strings("SubnetIds", "SubnetIdentifier"))
	if err != nil {
		return nil, err
	}
	users, err := s.instancesUsing(c.Region, name)
	if err != nil {
		return nil, err
	}
	for _, db := range users {
		if vpcID != g.VpcID {
			return nil, clientError("InvalidSubnet", "The new subnets are in %s, but DB instance %s uses this group in %s.", vpcID, db.ID, g.VpcID)
		}
		if !slices.ContainsFunc(subnets, func(sn groupSubnet) bool { return sn.ID == db.Subnet }) {
			return nil, clientError("SubnetAlreadyInUse", "The subnet %s is in use by DB instance %s and cannot be removed from the group.", db.Subnet, db.ID)
		}
	}
	g.Subnets, g.VpcID = subnets, vpcID
	if p.has("DBSubnetGroupDescription") {
		g.Description = p.str("DBSubnetGroupDescription")
	}
	if err := s.subnetGroups.Put(key, g); err != nil {
		return nil, err
	}
	return dbSubnetGroupResult{DBSubnetGroup: s.subnetGroupXML(g)}, nil
}

// deleteDBSubnetGroup deletes a group no instance uses.
func (s *Service) deleteDBSubnetGroup(_ context.Context, c call) (any, error) {
	name := strings.ToLower(c.Params.str("DBSubnetGroupName"))
	if name == "" {
		return nil, missing(apiRDS, "DBSubnetGroupName")
	}
	key := regionKey(c.Region, name)
	if _, ok, err := s.subnetGroups.Get(key); err != nil {
		return nil, err
	} else if !ok {
		return nil, subnetGroupNotFound(name)
	}
	users, err := s.instancesUsing(c.Region, name)
	if err != nil {
		return nil, err
	}
	if len(users) > 0 {
		return nil, clientError("InvalidDBSubnetGroupStateFault", "Cannot delete the subnet group '%s' because at least one database instance: %s is still using it.", name, users[0].ID)
	}
	return nil, s.subnetGroups.Delete(key)
}
