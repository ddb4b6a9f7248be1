package proc

import "syscall"

// sysProcAttr puts a server in its own process group, so that a Ctrl-C in the
// terminal reaches only the parent, which then stops the servers in order, and
// asks the kernel to kill the server if the parent dies without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
