// Command add-labels is an example composition function. It adds the labels
// its input names to every desired composed resource, and says so in a
// NORMAL result.
//
// Its input is:
//
//	apiVersion: add-labels.fn.stratus.dev/v1alpha1
//	kind: Input
//	labels:
//	  team: platform
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/function-sdk-go"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "add-labels: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("add-labels", flag.ContinueOnError)
	address := fs.String("address", ":9443", "Address to serve RunFunction on.")
	insecure := fs.Bool("insecure", false, "Serve without mTLS authentication. For development only.")
	certs := fs.String("tls-certs-dir", os.Getenv("TLS_SERVER_CERTS_DIR"), "Directory holding ca.crt (the CA that signs clients), tls.crt and tls.key (the server's certificate and key).")
	metrics := fs.String("metrics-address", function.DefaultMetricsAddress, "Address to serve Prometheus metrics on; empty turns metrics off.")
	debug := fs.Bool("debug", false, "Log debug messages.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*insecure && *certs == "" {
		return errors.New("cannot serve: pass --tls-certs-dir (or set TLS_SERVER_CERTS_DIR) for mTLS, or --insecure for development")
	}

	log, err := function.NewLogger(*debug)
	if err != nil {
		return errors.Wrap(err, "cannot create logger")
	}
	log.Info("Serving", "address", *address, "insecure", *insecure)
	return function.Serve(&Function{log: log},
		function.Listen("tcp", *address),
		function.MTLSCertificates(*certs),
		function.Insecure(*insecure),
		function.WithMetricsServer(*metrics),
	)
}
