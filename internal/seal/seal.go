// Package seal encrypts secrets kept at rest, such as the bot tokens of
// OAuth installs, with AES-256-GCM.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// KeySize is the length of a key in bytes: AES-256.
const KeySize = 32

// version is the first byte of every sealed secret, so a later format (or
// a key rotation) can tell the secrets of this one apart.
const version = 1

// ErrKey is returned by ParseKey for a key that is not KeySize bytes in
// base64 or hex.
var ErrKey = errors.New("the key is not 32 bytes written in base64 or hex (make one with: openssl rand -base64 32)")

// ErrOpen is returned by Open when a sealed secret does not open: it was
// sealed with another key or for another purpose, or it was altered.
var ErrOpen = errors.New("the secret does not open with this key: it was sealed with another key, or altered")

// Key seals and opens secrets. It is safe for concurrent use.
type Key struct {
	aead cipher.AEAD
}

// ParseKey reads a key written as 64 hex digits or as base64 (standard or
// URL alphabet, padded or not) of 32 bytes; ErrKey otherwise. The error
// never holds the key.
func ParseKey(s string) (*Key, error) {
	s = strings.TrimSpace(s)
	raw, err := decode(s)
	if err != nil || len(raw) != KeySize {
		return nil, ErrKey
	}
	return NewKey(raw)
}

func decode(s string) ([]byte, error) {
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, ErrKey
}

// NewKey returns the Key of raw, KeySize bytes.
func NewKey(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, ErrKey
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead}, nil
}

// Seal encrypts plain under a fresh random nonce, bound to purpose (such
// as "slack installation T0123"): the result opens only with the same key
// and purpose, so a secret copied to another record does not open there.
// It returns the version byte, the nonce and the ciphertext with its tag.
func (k *Key) Seal(plain []byte, purpose string) []byte {
	n := k.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plain)+k.aead.Overhead())
	out[0] = version
	rand.Read(out[1:]) // never fails: crypto/rand panics rather than return short
	return k.aead.Seal(out, out[1:], plain, []byte(purpose))
}

// Open decrypts what Seal returned for the same purpose; ErrOpen if it was
// sealed with another key or purpose, or altered.
func (k *Key) Open(sealed []byte, purpose string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < 1+n+k.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	plain, err := k.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(purpose))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
