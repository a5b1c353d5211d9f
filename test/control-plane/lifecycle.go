package main

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// exitWithParent makes this process die with the process that started it.
//
// PR_SET_PDEATHSIG covers the fast path, but it fires when the parent
// *thread* exits, which is not always the parent process; polling getppid()
// covers the rest (after reparenting, getppid returns the reaper's pid).
func exitWithParent() {
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	watchParent(func() { os.Exit(1) })
}

// watchParent calls onGone (once, from another goroutine) when the parent
// process has gone. `up` uses it directly so that it can stop its children
// and clean its data directory rather than die on the spot.
func watchParent(onGone func()) {
	parent := os.Getppid()
	go func() {
		for {
			if parent == 1 || os.Getppid() != parent {
				onGone()
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
	}()
}
