// Package localcp starts and stops a local Kubernetes control plane: one etcd
// and one kube-apiserver, both built from source by `make tools`, listening on
// loopback only. Tests use it through test/harness; `stratus dev` uses it to
// give a developer a control plane on a laptop with nothing else installed.
//
// Each Start generates fresh serving certificates, a service-account signing
// key and an admin bearer token, writes a kubeconfig file for kubectl, and
// waits until the API server reports ready. Stop shuts both processes down in
// order (API server first, then etcd). On Linux the processes are also bound to
// the life of the starting process, so a crash of the parent leaves none behind.
package localcp
