//go:build !linux

package proc

import "syscall"

// sysProcAttr puts a server in its own process group, so that a Ctrl-C in the
// terminal reaches only the parent, which then stops the servers in order.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
