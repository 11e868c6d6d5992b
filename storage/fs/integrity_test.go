package fs

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/cofferlabs/coffer"
	bolt "go.etcd.io/bbolt"
)

// checkIntegrity verifies what the package promises about the disk once
// the orphan sweep has run and no writer is in flight: every data ID a
// record names exists (inline or as an indexed file), nothing stored is
// unnamed, the files index matches the files on disk, and tmp is empty.
func checkIntegrity(t *testing.T, s *Store) {
	t.Helper()
	if err := integrity(s); err != nil {
		t.Fatalf("integrity: %v", err)
	}
}

func integrity(s *Store) error {
	<-s.Swept()
	refs := map[string]string{}
	inline := map[string]bool{}
	indexed := map[string]bool{}
	ref := func(id, owner string) error {
		if prev, ok := refs[id]; ok {
			return fmt.Errorf("data %s named by %s and %s", id, prev, owner)
		}
		refs[id] = owner
		return nil
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketObjects).ForEachBucket(func(name []byte) error {
			return tx.Bucket(bucketObjects).Bucket(name).ForEach(func(k, v []byte) error {
				var rec coffer.ObjectRecord
				if err := decode(v, &rec); err != nil {
					return err
				}
				owner := fmt.Sprintf("object %s/%s", name, k)
				if len(rec.Parts) == 0 {
					return ref(rec.DataID, owner)
				}
				for _, p := range rec.Parts {
					if err := ref(p.DataID, owner); err != nil {
						return err
					}
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		err = tx.Bucket(bucketParts).ForEachBucket(func(upload []byte) error {
			return tx.Bucket(bucketParts).Bucket(upload).ForEach(func(k, v []byte) error {
				var p coffer.PartRecord
				if err := decode(v, &p); err != nil {
					return err
				}
				return ref(p.DataID, fmt.Sprintf("upload %s part %d", upload, p.Number))
			})
		})
		if err != nil {
			return err
		}
		tx.Bucket(bucketInline).ForEach(func(k, _ []byte) error { inline[string(k)] = true; return nil })
		tx.Bucket(bucketFiles).ForEach(func(k, _ []byte) error { indexed[string(k)] = true; return nil })
		return nil
	})
	if err != nil {
		return err
	}
	for id, owner := range refs {
		if inline[id] == indexed[id] {
			return fmt.Errorf("data %s of %s: inline %v, file %v", id, owner, inline[id], indexed[id])
		}
	}
	for id := range inline {
		if refs[id] == "" {
			return fmt.Errorf("inline data %s is named by no record", id)
		}
	}
	onDisk, err := filepath.Glob(filepath.Join(s.dir, objectsDir, "*", "*"))
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, p := range onDisk {
		id := filepath.Base(p)
		seen[id] = true
		if !indexed[id] {
			return fmt.Errorf("file %s is in no index", p)
		}
		if refs[id] == "" {
			return fmt.Errorf("file %s is named by no record", p)
		}
	}
	for id := range indexed {
		if !seen[id] {
			return fmt.Errorf("indexed data %s (%s) has no file", id, refs[id])
		}
	}
	tmp, err := os.ReadDir(filepath.Join(s.dir, tmpDir))
	if err != nil {
		return err
	}
	if len(tmp) > 0 {
		var names []string
		for _, e := range tmp {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		return fmt.Errorf("tmp holds %q", names)
	}
	return nil
}
