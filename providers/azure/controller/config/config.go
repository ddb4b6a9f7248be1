// Package config reconciles Azure ProviderConfigs: it counts the managed
// resources using each one and keeps one in use from being deleted.
package config

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
)

// Setup adds the ProviderConfig controller.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	k := resource.ProviderConfigKinds{
		Config:    v1beta1.ProviderConfigGroupVersionKind,
		Usage:     v1beta1.ProviderConfigUsageGroupVersionKind,
		UsageList: v1beta1.ProviderConfigUsageListGroupVersionKind,
	}
	return provider.SetupProviderConfig(mgr, o, k, &v1beta1.ProviderConfig{}, &v1beta1.ProviderConfigUsage{})
}
