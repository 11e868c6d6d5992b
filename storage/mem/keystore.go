package mem

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/cofferlabs/coffer"
)

func (s *Store) CreateKey(ctx context.Context, name string, sealed []byte) error {
	if name == "" {
		return fmt.Errorf("mem: empty key name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[name]; ok {
		return fmt.Errorf("%w: %s", coffer.ErrKeyExists, name)
	}
	s.keys[name] = bytes.Clone(sealed)
	return nil
}

func (s *Store) PutKey(ctx context.Context, name string, sealed []byte) error {
	if name == "" {
		return fmt.Errorf("mem: empty key name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[name] = bytes.Clone(sealed)
	return nil
}

func (s *Store) GetKey(ctx context.Context, name string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.keys[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", coffer.ErrKeyNotFound, name)
	}
	return bytes.Clone(v), nil
}

func (s *Store) DeleteKey(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[name]; !ok {
		return fmt.Errorf("%w: %s", coffer.ErrKeyNotFound, name)
	}
	delete(s.keys, name)
	return nil
}

func (s *Store) ListKeys(ctx context.Context, prefix string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []string{}
	for name := range s.keys {
		if strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}
