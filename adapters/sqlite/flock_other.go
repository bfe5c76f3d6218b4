//go:build !unix

package sqlite

import (
	"errors"
	"os"
)

var errLocked = errors.New("locked by another process")

// flock does nothing where there is no flock(2).
func flock(*os.File) error { return nil }
