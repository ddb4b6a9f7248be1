// Package v1beta1 holds the dbforpostgresql.azure.stratus.dev v1beta1 API:
// managed resources for Azure Database for PostgreSQL flexible servers, their
// databases and their firewall rules.
// +kubebuilder:object:generate=true
// +groupName=dbforpostgresql.azure.stratus.dev
// +versionName=v1beta1
package v1beta1
