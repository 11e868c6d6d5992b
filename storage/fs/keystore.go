package fs

import (
	"bytes"
	"context"
	"fmt"

	"github.com/cofferlabs/coffer"
	bolt "go.etcd.io/bbolt"
)

// Sealed keys are kept in the keys bucket as the version byte followed by
// the caller's bytes, committed (and fsynced) before each call returns.

func (s *Store) CreateKey(ctx context.Context, name string, sealed []byte) error {
	if name == "" {
		return fmt.Errorf("fs: empty key name")
	}
	return s.update(func(tx *bolt.Tx) error {
		keys := tx.Bucket(bucketKeys)
		if keys.Get([]byte(name)) != nil {
			return fmt.Errorf("%w: %s", coffer.ErrKeyExists, name)
		}
		return keys.Put([]byte(name), keyValue(sealed))
	})
}

func (s *Store) PutKey(ctx context.Context, name string, sealed []byte) error {
	if name == "" {
		return fmt.Errorf("fs: empty key name")
	}
	return s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketKeys).Put([]byte(name), keyValue(sealed))
	})
}

func keyValue(sealed []byte) []byte {
	return append([]byte{recordVersion}, sealed...)
}

func (s *Store) GetKey(ctx context.Context, name string) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketKeys).Get([]byte(name))
		if v == nil {
			return fmt.Errorf("%w: %s", coffer.ErrKeyNotFound, name)
		}
		if v[0] != recordVersion {
			return fmt.Errorf("fs: key %s of unknown version", name)
		}
		out = bytes.Clone(v[1:])
		return nil
	})
	return out, err
}

func (s *Store) DeleteKey(ctx context.Context, name string) error {
	return s.update(func(tx *bolt.Tx) error {
		keys := tx.Bucket(bucketKeys)
		if keys.Get([]byte(name)) == nil {
			return fmt.Errorf("%w: %s", coffer.ErrKeyNotFound, name)
		}
		return keys.Delete([]byte(name))
	})
}

func (s *Store) ListKeys(ctx context.Context, prefix string) ([]string, error) {
	out := []string{}
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketKeys).Cursor()
		for k, _ := c.Seek([]byte(prefix)); k != nil && bytes.HasPrefix(k, []byte(prefix)); k, _ = c.Next() {
			out = append(out, string(k))
		}
		return nil
	})
	return out, err
}
