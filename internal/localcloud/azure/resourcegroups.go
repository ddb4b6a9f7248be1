package azure

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// A groupRow is a resource group.
type groupRow struct {
	ID        string             `json:"id"`
	Sub       string             `json:"sub"`
	Name      string             `json:"name"`
	Location  string             `json:"location"`
	Tags      map[string]*string `json:"tags,omitempty"`
	ManagedBy *string            `json:"managedBy,omitempty"`
	Pending   pending            `json:"pending"`
}

func (g *groupRow) life() *pending { return &g.Pending }

func groupKey(sub, name string) string {
	return key("/subscriptions/" + sub + "/resourcegroups/" + name)
}

func (g groupRow) model() armresources.ResourceGroup {
	state := "Succeeded"
	if g.Pending.Phase == phaseDelete {
		state = "Deleting"
	}
	return armresources.ResourceGroup{
		ID:         new(g.ID),
		Name:       new(g.Name),
		Type:       new("Microsoft.Resources/resourceGroups"),
		Location:   new(g.Location),
		Tags:       g.Tags,
		ManagedBy:  g.ManagedBy,
		Properties: &armresources.ResourceGroupProperties{ProvisioningState: new(state)},
	}
}

// groupName is what ARM accepts as a resource group name.
var groupName = regexp.MustCompile(`^[-\w._()]{1,90}$`)

func (s *Service) resourceGroups(w http.ResponseWriter, r *http.Request, rt route) {
	var e *apiError
	switch {
	case rt.Kind == routeGroups && r.Method == http.MethodGet:
		e = s.listGroups(w, rt)
	case rt.Kind == routeGroups:
		e = methodNotAllowed(r)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		e = s.getGroup(w, r, rt)
	case r.Method == http.MethodPut:
		e = s.putGroup(w, r, rt)
	case r.Method == http.MethodPatch:
		e = s.patchGroup(w, r, rt)
	case r.Method == http.MethodDelete:
		e = s.deleteGroup(w, r, rt)
	default:
		e = methodNotAllowed(r)
	}
	if e != nil {
		writeError(w, e)
	}
}

func (s *Service) listGroups(w http.ResponseWriter, rt route) *apiError {
	all, err := s.groups.List()
	if err != nil {
		return internalError()
	}
	out := list[armresources.ResourceGroup]{Value: []armresources.ResourceGroup{}}
	prefix := groupPrefix(rt.Sub, "")
	for _, g := range all {
		if strings.HasPrefix(key(g.ID), prefix) {
			out.Value = append(out.Value, g.model())
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getGroup answers GET, and HEAD (CheckExistence) with no body.
func (s *Service) getGroup(w http.ResponseWriter, r *http.Request, rt route) *apiError {
	g, ok, err := s.groups.Get(groupKey(rt.Sub, rt.Group))
	switch {
	case err != nil:
		return internalError()
	case !ok && r.Method == http.MethodHead:
		w.WriteHeader(http.StatusNotFound)
	case !ok:
		return groupNotFound(rt.Group)
	case r.Method == http.MethodHead:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusOK, g.model())
	}
	return nil
}

func (s *Service) putGroup(w http.ResponseWriter, r *http.Request, rt route) *apiError {
	if !groupName.MatchString(rt.Group) || rt.Group[len(rt.Group)-1] == '.' {
		return badRequest("InvalidResourceGroupName", "The provided resource group name '%s' has invalid characters or length. The name can be up to 90 characters of letters, digits, '-', '.', '(', ')' and '_', and cannot end with '.'.", rt.Group)
	}
	var in armresources.ResourceGroup
	if e := decode(r, &in); e != nil {
		return e
	}
	loc, e := requireLocation(in.Location)
	if e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := groupKey(rt.Sub, rt.Group)
	g, found, err := s.groups.Get(k)
	if err != nil {
		return internalError()
	}
	if found {
		switch {
		case g.Pending.Phase == phaseDelete:
			return conflict("ResourceGroupBeingDeleted", "The resource group '%s' is in deprovisioning state and cannot perform this operation.", g.Name)
		case g.Location != loc:
			return conflict("InvalidResourceGroupLocation", "Invalid resource group location '%s'. The Resource group already exists in location '%s'.", loc, g.Location)
		}
		g.Tags, g.ManagedBy = in.Tags, in.ManagedBy
		if err := s.groups.Put(k, g); err != nil {
			return internalError()
		}
		writeJSON(w, http.StatusOK, g.model())
		return nil
	}
	g = groupRow{ID: "/subscriptions/" + rt.Sub + "/resourceGroups/" + rt.Group, Sub: rt.Sub, Name: rt.Group, Location: loc, Tags: in.Tags, ManagedBy: in.ManagedBy}
	if err := s.groups.Put(k, g); err != nil {
		return internalError()
	}
	writeJSON(w, http.StatusCreated, g.model())
	return nil
}

func (s *Service) patchGroup(w http.ResponseWriter, r *http.Request, rt route) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := groupKey(rt.Sub, rt.Group)
	g, found, err := s.groups.Get(k)
	if err != nil {
		return internalError()
	}
	if !found {
		return groupNotFound(rt.Group)
	}
	if g.Pending.Phase == phaseDelete {
		return conflict("ResourceGroupBeingDeleted", "The resource group '%s' is in deprovisioning state and cannot perform this operation.", g.Name)
	}
	next, e := patchModel(r, g.model())
	if e != nil {
		return e
	}
	g.Tags, g.ManagedBy = next.Tags, next.ManagedBy
	if err := s.groups.Put(k, g); err != nil {
		return internalError()
	}
	writeJSON(w, http.StatusOK, g.model())
	return nil
}

// deleteGroup deletes a resource group and everything in it: every resource
// enters its deleting state at once, and the group goes when they have.
func (s *Service) deleteGroup(w http.ResponseWriter, r *http.Request, rt route) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := groupKey(rt.Sub, rt.Group)
	g, found, err := s.groups.Get(k)
	if err != nil {
		return internalError()
	}
	if !found {
		return groupNotFound(rt.Group)
	}
	if g.Pending.Phase == phaseDelete && g.Pending.Op != "" {
		if op, ok, _ := s.ops.Get(g.Pending.Op); ok {
			accepted(w, r, op, headerLocation, http.StatusAccepted, nil)
			return nil
		}
	}
	op, err := s.startOp(rt.Sub, "Microsoft.Resources", g.Location, g.ID, actionDelete, false)
	if err != nil {
		return internalError()
	}
	op.GroupResult = true
	if err := s.ops.Put(op.ID, op); err != nil {
		return internalError()
	}
	until := s.env.Now().UTC().Add(s.env.Delays.Delete)
	g.Pending = pending{Phase: phaseDelete, Until: until, Op: op.ID}
	if err := s.groups.Put(k, g); err != nil {
		return internalError()
	}
	if err := s.deleteAllIn(groupPrefix(rt.Sub, g.Name), until); err != nil {
		s.env.Log.Info("cannot mark the resources of a resource group deleted", "group", g.ID, "error", err)
		return internalError()
	}
	accepted(w, r, op, headerLocation, http.StatusAccepted, nil)
	return nil
}

// deleteAllIn puts every resource whose key starts with prefix in its
// deleting state. Called with s.mu held.
func (s *Service) deleteAllIn(prefix string, until time.Time) error {
	return errors.Join(
		markDeleting(s, s.servers, prefix, until),
		markDeleting(s, s.databases, prefix, until),
		markDeleting(s, s.rules, prefix, until),
		markDeleting(s, s.vms, prefix, until),
		markDeleting(s, s.nics, prefix, until),
		markDeleting(s, s.pips, prefix, until),
		markDeleting(s, s.subnets, prefix, until),
		markDeleting(s, s.vnets, prefix, until),
	)
}

func markDeleting[T any, P interface {
	*T
	lifer
}](s *Service, t *store.Table[T], prefix string, until time.Time) error {
	for _, id := range inGroup(t, prefix) {
		_, err := t.Update(id, func(v *T) error {
			p := P(v).life()
			if p.Phase == phaseDelete {
				return nil
			}
			s.preempt(p.Op)
			*p = pending{Phase: phaseDelete, Until: until}
			return nil
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// tickGroups ends the deletion of resource groups whose resources are gone.
func (s *Service) tickGroups(now time.Time) {
	all, err := s.groups.List()
	if err != nil {
		return
	}
	for _, g := range all {
		if !g.Pending.due(now) {
			continue
		}
		prefix := groupPrefix(g.Sub, g.Name)
		if len(inGroup(s.servers, prefix))+len(inGroup(s.databases, prefix))+len(inGroup(s.rules, prefix))+
			len(inGroup(s.vms, prefix))+len(inGroup(s.nics, prefix))+len(inGroup(s.pips, prefix))+
			len(inGroup(s.subnets, prefix))+len(inGroup(s.vnets, prefix)) > 0 {
			continue
		}
		if remove(s, s.groups, key(g.ID), g.Pending) {
			s.finishOp(g.Pending.Op, nil)
		}
	}
}
