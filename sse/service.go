package sse

import (
	"crypto/rand"
	"io"
	"time"

	"github.com/cofferlabs/coffer"
)

// Options configure a Service.
type Options struct {
	Region    string // reported as every bucket's region
	AccountID string
	Now       func() time.Time // nil means time.Now
}

// Service implements coffer.Service over a coffer.Store, encrypting every
// object at rest with data keys sealed by a Keyring.
type Service struct {
	store coffer.Store
	keys  *Keyring
	opts  Options
	now   func() time.Time
	// random is the source of data keys, nonces and upload IDs (a test hook).
	random       io.Reader
	masterSealer masterKeySealer
}

var _ coffer.Service = (*Service)(nil)

// New returns a Service storing objects in store, sealing their keys with
// keys.
func New(store coffer.Store, keys *Keyring, opts Options) *Service {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		store:        store,
		keys:         keys,
		opts:         opts,
		now:          func() time.Time { return now().UTC() },
		random:       rand.Reader,
		masterSealer: masterKeySealer{keys: keys, random: rand.Reader},
	}
}
