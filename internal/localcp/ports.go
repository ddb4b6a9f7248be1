package localcp

import (
	"net"
	"strconv"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/proc"
)

// loopback is the only address the local control plane listens on.
const loopback = "127.0.0.1"

// ErrPortInUse is returned (wrapped) when a port asked for is already taken.
var ErrPortInUse = errors.New("port is already in use")

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
		return proc.FreePort()
	}
	if err := checkPort(what, port); err != nil {
		return 0, err
	}
	return port, nil
}
