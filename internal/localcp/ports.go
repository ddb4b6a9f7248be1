package localcp

import (
	"net"
	"strconv"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// loopback is the only address the local control plane listens on.
const loopback = "127.0.0.1"

// ErrPortInUse is returned (wrapped) when a port asked for is already taken.
var ErrPortInUse = errors.New("port is already in use")

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return 0, errors.Wrap(err, "cannot find a free loopback port")
	}
	defer l.Close() //nolint:errcheck // Closing a probe listener; nothing to report.
	return l.Addr().(*net.TCPAddr).Port, nil
}

// checkPort returns ErrPortInUse when nothing can listen on port.
func checkPort(what string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, strconv.Itoa(port)))
	if err != nil {
		return errors.Wrapf(ErrPortInUse, "%s port %d on %s (%v): stop whatever holds it or choose another port", what, port, loopback, err)
	}
	return errors.Wrap(l.Close(), "cannot release probe listener")
}

// pickPort returns port when it is free, or a free port when port is zero.
func pickPort(what string, port int) (int, error) {
	if port == 0 {
		return freePort()
	}
	if err := checkPort(what, port); err != nil {
		return 0, err
	}
	return port, nil
}
