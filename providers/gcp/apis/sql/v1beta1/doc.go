// Package v1beta1 holds the sql.gcp.stratus.dev v1beta1 API: managed
// resources for Cloud SQL (database instances, their users and their
// databases).
// +kubebuilder:object:generate=true
// +groupName=sql.gcp.stratus.dev
// +versionName=v1beta1
package v1beta1
