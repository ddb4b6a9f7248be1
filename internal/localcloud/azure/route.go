package azure

import (
	"slices"
	"strings"
)

// What an ARM request path names.
const (
	routeUnknown         = iota
	routeSubscription    // /subscriptions/{sub}
	routeGroups          // /subscriptions/{sub}/resourcegroups
	routeGroup           // /subscriptions/{sub}/resourcegroups/{rg}
	routeResource        // .../providers/{ns}/{type}/{name}[/{type}/{name}][/{action}]
	routeCollection      // .../providers/{ns}/{type}[/{name}/{type}], in a group or a subscription
	routeOperation       // /subscriptions/{sub}/providers/{ns}/locations/{loc}/operationStatuses/{id}
	routeOperationResult // .../operationResults/{id}, and /subscriptions/{sub}/operationresults/{id}
)

// A route is what an ARM request path names.
type route struct {
	Kind  int
	Sub   string
	Group string
	// Provider is the resource provider namespace as the client wrote it.
	Provider string
	// Types are the resource type segments (virtualNetworks, subnets) and
	// Names the names after them; a collection has one name fewer.
	Types []string
	Names []string
	// Action is a trailing segment naming an action on a resource: start,
	// powerOff, instanceView.
	Action string
	// OpID is the operation an operation route polls.
	OpID string
}

// resourceTypes are the resource types the local cloud emulates, by
// lower-case namespace/type path.
var resourceTypes = map[string]bool{
	"microsoft.dbforpostgresql/flexibleservers":               true,
	"microsoft.dbforpostgresql/flexibleservers/databases":     true,
	"microsoft.dbforpostgresql/flexibleservers/firewallrules": true,
	"microsoft.network/virtualnetworks":                       true,
	"microsoft.network/virtualnetworks/subnets":               true,
	"microsoft.network/networkinterfaces":                     true,
	"microsoft.network/publicipaddresses":                     true,
	"microsoft.compute/virtualmachines":                       true,
}

// namespaces are the resource provider namespaces the local cloud knows.
var namespaces = map[string]string{
	"microsoft.dbforpostgresql": "Microsoft.DBforPostgreSQL",
	"microsoft.network":         "Microsoft.Network",
	"microsoft.compute":         "Microsoft.Compute",
	"microsoft.resources":       "Microsoft.Resources",
}

// TypeKey is the lower-case namespace/type path of the route's resource type.
func (rt route) TypeKey() string {
	return strings.ToLower(rt.Provider + "/" + strings.Join(rt.Types, "/"))
}

// parseRoute reads an ARM request path. It does not judge whether the
// resource type is one the local cloud emulates, except to tell a trailing
// action from a child collection.
func parseRoute(path string) route {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) < 2 || !strings.EqualFold(segs[0], "subscriptions") || segs[1] == "" {
		return route{}
	}
	rt := route{Sub: segs[1]}
	rest := segs[2:]
	if len(rest) == 0 {
		rt.Kind = routeSubscription
		return rt
	}
	switch strings.ToLower(rest[0]) {
	case "resourcegroups":
		return groupRoute(rt, rest[1:])
	case "providers":
		return providerRoute(rt, rest[1:])
	case "operationresults":
		if len(rest) != 2 {
			return route{}
		}
		rt.Kind = routeOperationResult
		rt.OpID = rest[1]
		return rt
	}
	return route{}
}

// groupRoute reads what follows /subscriptions/{sub}/resourcegroups.
func groupRoute(rt route, rest []string) route {
	if len(rest) == 0 {
		rt.Kind = routeGroups
		return rt
	}
	rt.Group = rest[0]
	rest = rest[1:]
	if len(rest) == 0 {
		rt.Kind = routeGroup
		return rt
	}
	if len(rest) < 3 || !strings.EqualFold(rest[0], "providers") {
		return route{}
	}
	rt.Provider = rest[1]
	return typed(rt, rest[2:])
}

// providerRoute reads what follows /subscriptions/{sub}/providers:
// operations and subscription-wide collections.
func providerRoute(rt route, rest []string) route {
	if len(rest) < 2 {
		return route{}
	}
	rt.Provider = rest[0]
	if len(rest) == 5 && strings.EqualFold(rest[1], "locations") {
		rt.OpID = rest[4]
		switch strings.ToLower(rest[3]) {
		case "operationstatuses":
			rt.Kind = routeOperation
			return rt
		case "operationresults":
			rt.Kind = routeOperationResult
			return rt
		}
	}
	if len(rest) != 2 {
		return route{}
	}
	rt.Types = []string{rest[1]}
	rt.Kind = routeCollection
	return rt
}

// typed reads type/name pairs under a group's provider.
func typed(rt route, rest []string) route {
	for i := 0; i < len(rest); i += 2 {
		rt.Types = append(rt.Types, rest[i])
		if i+1 < len(rest) {
			rt.Names = append(rt.Names, rest[i+1])
		}
	}
	if slices.Contains(rt.Names, "") {
		return route{}
	}
	if len(rt.Names) == len(rt.Types) {
		rt.Kind = routeResource
		return rt
	}
	// One name fewer than types: a collection, or an action on a resource
	// when the last segment is not a child type.
	rt.Kind = routeCollection
	if len(rt.Types) > 1 {
		if !resourceTypes[rt.TypeKey()] {
			rt.Action = rt.Types[len(rt.Types)-1]
			rt.Types = rt.Types[:len(rt.Types)-1]
			rt.Kind = routeResource
		}
	}
	return rt
}
