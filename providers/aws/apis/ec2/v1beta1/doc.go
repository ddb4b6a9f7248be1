// Package v1beta1 holds the ec2.aws.stratus.dev v1beta1 API: managed
// resources for Amazon EC2 (VPCs, subnets, security groups and instances).
// +kubebuilder:object:generate=true
// +groupName=ec2.aws.stratus.dev
// +versionName=v1beta1
package v1beta1
