package web

import (
	"os"
	"syscall"
)

// isolate makes the worker start in a network namespace of its own: a new network namespace as
// root, otherwise new user and network namespaces in which the user is root (so that the worker
// may bring its namespace's loopback up; on the host it stays the user).
func isolate(a *syscall.SysProcAttr) {
	a.Cloneflags |= syscall.CLONE_NEWNET
	if os.Geteuid() == 0 {
		return
	}
	a.Cloneflags |= syscall.CLONE_NEWUSER
	a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}}
	a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}}
}
