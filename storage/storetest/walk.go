package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cofferlabs/coffer"
)

func testWalk(t *testing.T, open func(t *testing.T) coffer.Store) {
	s := open(t)
	ctx := t.Context()
	// 300 records: stores that walk in batches of 256 cross a boundary.
	const perBucket = 100
	var all []coffer.ObjectID
	var buckets []string
	for range 3 {
		buckets = append(buckets, newBucket(t, s))
	}
	newBucket(t, s) // an empty bucket the walk passes through
	var wg sync.WaitGroup
	for _, b := range buckets {
		for i := range perBucket {
			key := fmt.Sprintf("key-%04d", i)
			all = append(all, coffer.ObjectID{Bucket: b, Key: key})
		}
		wg.Go(func() {
			for i := range perBucket {
				key := fmt.Sprintf("key-%04d", i)
				rec := sampleRecord([]byte(key))
				if err := tryPut(ctx, s, b, key, []byte(key), &rec, nil); err != nil {
					t.Errorf("put %s/%s: %v", b, key, err)
				}
			}
		})
	}
	wg.Wait()
	sortIDs(all) // bucket names sort as strings: bucket-10 < bucket-9

	walk := func(t *testing.T, after coffer.ObjectID) []coffer.ObjectID {
		var got []coffer.ObjectID
		noErr(t, "WalkObjects", s.WalkObjects(ctx, after, func(r coffer.ObjectRecord) error {
			got = append(got, coffer.ObjectID{Bucket: r.Bucket, Key: r.Key})
			if string(r.SealedKey) != string(sampleRecord([]byte(r.Key)).SealedKey) {
				return fmt.Errorf("record %s/%s is not the one stored", r.Bucket, r.Key)
			}
			return nil
		}))
		return got
	}
	cases := []struct {
		name  string
		after coffer.ObjectID
		want  []coffer.ObjectID
	}{
		{"FromStart", coffer.ObjectID{}, all},
		{"AfterKey", all[10], all[11:]},
		{"AfterBucketOnly", coffer.ObjectID{Bucket: all[perBucket].Bucket}, all[perBucket:]},
		{"AfterMissingKey", coffer.ObjectID{Bucket: all[0].Bucket, Key: "key-0009x"}, all[10:]},
		{"AfterLast", all[len(all)-1], nil},
		{"AfterLastBucket", coffer.ObjectID{Bucket: "zzz"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := walk(t, tc.after); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("walk after %+v visited %d records, want %d (first difference matters)", tc.after, len(got), len(tc.want))
			}
		})
	}
	t.Run("StopsAtError", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := s.WalkObjects(ctx, coffer.ObjectID{}, func(coffer.ObjectRecord) error {
			n++
			if n == 5 {
				return stop
			}
			return nil
		})
		wantErr(t, "WalkObjects", err, stop)
		if n != 5 {
			t.Fatalf("walk went on for %d records after the error", n-5)
		}
	})
	t.Run("UpdateDuringWalk", func(t *testing.T) {
		// Key re-wrapping calls UpdateObject from inside the walk.
		noErr(t, "WalkObjects", s.WalkObjects(ctx, coffer.ObjectID{}, func(r coffer.ObjectRecord) error {
			r.SealedKey = append([]byte("v2:"), r.SealedKey...)
			return s.UpdateObject(ctx, r)
		}))
		noErr(t, "WalkObjects", s.WalkObjects(ctx, coffer.ObjectID{}, func(r coffer.ObjectRecord) error {
			if string(r.SealedKey) != "v2:"+string(sampleRecord([]byte(r.Key)).SealedKey) {
				return fmt.Errorf("%s/%s was not rewrapped exactly once: %q", r.Bucket, r.Key, r.SealedKey)
			}
			return nil
		}))
	})
}

func sortIDs(ids []coffer.ObjectID) {
	slices.SortFunc(ids, func(a, b coffer.ObjectID) int {
		if c := strings.Compare(a.Bucket, b.Bucket); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
}
