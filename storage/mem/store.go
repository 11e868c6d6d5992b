package mem

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"sync"

	"github.com/cofferlabs/coffer"
)

var (
	_ coffer.Store    = (*Store)(nil)
	_ coffer.KeyStore = (*Store)(nil)
)

// Store keeps everything in maps behind one RWMutex.
type Store struct {
	mu      sync.RWMutex
	buckets map[string]*bucket
	uploads map[string]*upload // by upload ID
	data    map[string][]byte  // by data ID; never mutated once stored
	keys    map[string][]byte
}

type bucket struct {
	rec     coffer.BucketRecord
	keys    []string // sorted object keys
	objects map[string]coffer.ObjectRecord
	uploads map[string]bool // IDs of this bucket's uploads
}

type upload struct {
	rec   coffer.UploadRecord
	parts map[int]coffer.PartRecord
}

// New returns an empty store.
func New() *Store {
	return &Store{
		buckets: map[string]*bucket{},
		uploads: map[string]*upload{},
		data:    map[string][]byte{},
		keys:    map[string][]byte{},
	}
}

// Close does nothing: there is nothing to release.
func (s *Store) Close() error { return nil }

func (s *Store) CreateBucket(ctx context.Context, rec coffer.BucketRecord) error {
	if rec.Name == "" {
		return coffer.ErrInvalidBucketName
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buckets[rec.Name]; ok {
		return fmt.Errorf("%w: %s", coffer.ErrBucketExists, rec.Name)
	}
	s.buckets[rec.Name] = &bucket{
		rec:     cloneBucket(rec),
		objects: map[string]coffer.ObjectRecord{},
		uploads: map[string]bool{},
	}
	return nil
}

func (s *Store) GetBucket(ctx context.Context, name string) (coffer.BucketRecord, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := s.bucket(name)
	if err != nil {
		return coffer.BucketRecord{}, err
	}
	return cloneBucket(b.rec), nil
}

func (s *Store) UpdateBucket(ctx context.Context, name string, fn func(*coffer.BucketRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	rec := cloneBucket(b.rec)
	if err := fn(&rec); err != nil {
		return err
	}
	if rec.Name != name {
		return fmt.Errorf("mem: UpdateBucket cannot rename bucket %s", name)
	}
	b.rec = cloneBucket(rec)
	return nil
}

func (s *Store) DeleteBucket(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	if len(b.objects) > 0 || len(b.uploads) > 0 {
		return fmt.Errorf("%w: %s", coffer.ErrBucketNotEmpty, name)
	}
	delete(s.buckets, name)
	return nil
}

func (s *Store) ListBuckets(ctx context.Context) ([]coffer.BucketRecord, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]coffer.BucketRecord, 0, len(s.buckets))
	for _, b := range s.buckets {
		out = append(out, cloneBucket(b.rec))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// bucket must be called with s.mu held.
func (s *Store) bucket(name string) (*bucket, error) {
	b, ok := s.buckets[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", coffer.ErrNoSuchBucket, name)
	}
	return b, nil
}

func newDataID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
