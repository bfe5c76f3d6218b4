//go:build unix

package sqlite

import (
	"errors"
	"os"
	"syscall"
)

var errLocked = errors.New("locked by another process")

// flock takes an exclusive lock on f without waiting: errLocked when
// another process holds it.
func flock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}
