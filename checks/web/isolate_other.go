//go:build !linux

package web

import "syscall"

// isolate does nothing where network namespaces do not exist; the worker shares telesra's
// network (see README, privacy).
func isolate(*syscall.SysProcAttr) {}
