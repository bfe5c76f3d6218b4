package seal_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/internal/seal"
)

var raw = bytes.Repeat([]byte{0x42}, seal.KeySize)

func TestParseKey(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"hex", hex.EncodeToString(raw), true},
		{"base64", base64.StdEncoding.EncodeToString(raw), true},
		{"base64 unpadded", base64.RawStdEncoding.EncodeToString(raw), true},
		{"base64 url", base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), true},
		{"spaces around", " " + hex.EncodeToString(raw) + "\n", true},
		{"empty", "", false},
		{"short", base64.StdEncoding.EncodeToString(raw[:16]), false},
		{"long", base64.StdEncoding.EncodeToString(append(raw, 1)), false},
		{"not an encoding", "correct horse battery staple, but longer than that", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := seal.ParseKey(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseKey: %v, want ok %v", err, tc.ok)
			}
			if err != nil && (!errors.Is(err, seal.ErrKey) || tc.in != "" && strings.Contains(err.Error(), tc.in)) {
				t.Errorf("error %q: want ErrKey without the key", err)
			}
			if k != nil {
				if got, err := k.Open(k.Seal([]byte("x"), "p"), "p"); err != nil || string(got) != "x" {
					t.Errorf("round trip: %q, %v", got, err)
				}
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	k, err := seal.NewKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := seal.NewKey(bytes.Repeat([]byte{7}, 32))
	secret := []byte("xoxb-1-a-bot-token")
	a, b := k.Seal(secret, "slack T1"), k.Seal(secret, "slack T1")
	if bytes.Equal(a, b) {
		t.Error("two seals of one secret are equal: the nonce is not random")
	}
	if bytes.Contains(a, secret) || bytes.Contains(a, []byte("xoxb")) {
		t.Error("the sealed secret holds the plain text")
	}
	if got, err := k.Open(a, "slack T1"); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	tampered := bytes.Clone(a)
	tampered[len(tampered)-1] ^= 1
	for name, open := range map[string]func() ([]byte, error){
		"other purpose": func() ([]byte, error) { return k.Open(a, "slack T2") },
		"other key":     func() ([]byte, error) { return other.Open(a, "slack T1") },
		"altered":       func() ([]byte, error) { return k.Open(tampered, "slack T1") },
		"truncated":     func() ([]byte, error) { return k.Open(a[:10], "slack T1") },
		"empty":         func() ([]byte, error) { return k.Open(nil, "slack T1") },
	} {
		if got, err := open(); !errors.Is(err, seal.ErrOpen) || got != nil {
			t.Errorf("%s: Open = %q, %v; want ErrOpen", name, got, err)
		}
	}
}
