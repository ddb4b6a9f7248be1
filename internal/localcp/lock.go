package localcp

import (
	"os"
	"path/filepath"
	"syscall"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// ErrDirInUse is returned (wrapped) when another running control plane holds
// the directory asked for.
var ErrDirInUse = errors.New("control plane directory is in use")

// lockDir takes an exclusive lock beside dir, so that a second control plane
// never wipes the data of one that is still running. The kernel drops the
// lock when the holder exits, however it exits.
func lockDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
		return nil, errors.Wrapf(err, "cannot create parent of %s", dir)
	}
	f, err := os.OpenFile(filepath.Clean(dir)+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot open lock file for %s", dir)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, errors.Wrapf(ErrDirInUse, "%s is used by another running control plane (%v): stop it or choose another directory", dir, err)
	}
	return f, nil
}

// unlockDir releases a lock taken by lockDir.
func unlockDir(f *os.File) error {
	if f == nil {
		return nil
	}
	return errors.Wrap(f.Close(), "cannot release control plane directory lock")
}
