// Package v1beta1 holds the rds.aws.stratus.dev v1beta1 API: managed
// resources for Amazon RDS (database instances and DB subnet groups).
// +kubebuilder:object:generate=true
// +groupName=rds.aws.stratus.dev
// +versionName=v1beta1
package v1beta1
