package clients

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// Provisioning states Azure Resource Manager resources report.
const (
	StateSucceeded = "Succeeded"
	StateUpdating  = "Updating"
	StateCreating  = "Creating"
	StateDeleting  = "Deleting"
	StateFailed    = "Failed"
)

// SetConditions sets the Ready condition of mg from the provisioning state
// Azure reports and the operation in progress, if any: Deleting while it is
// being deleted, Creating while the create Stratus started is in progress,
// Available once it has succeeded (and while it is being updated: it still
// works), Unavailable with the state otherwise.
func SetConditions(mg resource.Conditioned, state string, op *Operation) {
	switch {
	case state == StateDeleting || (op != nil && op.Verb == VerbDelete):
		mg.SetConditions(xpv2.Deleting())
	case state == StateCreating || (op != nil && op.Verb == VerbCreate):
		mg.SetConditions(xpv2.Creating())
	case state == StateSucceeded || state == StateUpdating:
		mg.SetConditions(xpv2.Available())
	default:
		mg.SetConditions(xpv2.Unavailable().WithMessage("provisioning state is " + state))
	}
}
