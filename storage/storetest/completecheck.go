package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cofferlabs/coffer"
)

// testCompleteCheck covers conditional completions: the check sees the
// key's current record (nil when absent) and a rejection returns the
// check's error, leaving the upload, its parts and the old object as
// they were.
func testCompleteCheck(t *testing.T, open func(t *testing.T) coffer.Store) {
	custom := errors.New("custom rejection")
	cases := []struct {
		name     string
		existing bool
		check    func(old coffer.ObjectRecord) func(*coffer.ObjectRecord) error
		wantErr  error
	}{
		{"AbsentRequireAbsent", false, func(coffer.ObjectRecord) func(*coffer.ObjectRecord) error { return requireAbsent }, nil},
		{"PresentRequireAbsent", true, func(coffer.ObjectRecord) func(*coffer.ObjectRecord) error { return requireAbsent }, coffer.ErrPreconditionFailed},
		{"PresentMatchingETag", true, requireRecord, nil},
		{"PresentOtherETag", true, func(coffer.ObjectRecord) func(*coffer.ObjectRecord) error {
			return requireRecord(coffer.ObjectRecord{ETag: "other"})
		}, coffer.ErrPreconditionFailed},
		{"AbsentRequirePresent", false, requireRecord, coffer.ErrPreconditionFailed},
		{"CheckErrorReturned", true, func(coffer.ObjectRecord) func(*coffer.ObjectRecord) error {
			return func(*coffer.ObjectRecord) error { return custom }
		}, custom},
		{"SeesWholeCurrentRecord", true, requireSameRecord, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			b := newBucket(t, s)
			var old coffer.ObjectRecord
			if tc.existing {
				old = put(t, s, b, "k", []byte("old version"))
			}
			up := createUpload(t, s, b, "k", "u1")
			data := [][]byte{payload(41, 200<<10), payload(42, 3000)}
			p1 := putPart(t, s, b, "k", "u1", 1, data[0])
			p2 := putPart(t, s, b, "k", "u1", 2, data[1])
			err := s.CompleteUpload(ctx, "u1", completed(b, "k", p1, p2), tc.check(old))
			if tc.wantErr == nil {
				noErr(t, "conditional CompleteUpload", err)
				assertCompleted(t, s, b, "k", "u1", data)
				return
			}
			wantErr(t, "conditional CompleteUpload", err, tc.wantErr)
			got, err := s.GetObject(ctx, b, "k")
			if tc.existing {
				noErr(t, "GetObject after refused completion", err)
				sameRecord(t, "record after refused completion", got, old)
				sameBytes(t, "data after refused completion", mustRead(t, s, got, 0, 0, got.StoredSize), []byte("old version"))
			} else {
				wantErr(t, "GetObject after refused completion", err, coffer.ErrNoSuchKey)
			}
			still, err := s.GetUpload(ctx, b, "k", "u1")
			noErr(t, "GetUpload after refused completion", err)
			if !reflect.DeepEqual(normUpload(still), normUpload(up)) {
				t.Fatalf("upload after refused completion = %+v, want %+v", still, up)
			}
			parts, err := s.ListParts(ctx, b, "k", "u1")
			noErr(t, "ListParts after refused completion", err)
			if len(parts) != 2 || !reflect.DeepEqual(normPart(parts[0]), normPart(p1)) || !reflect.DeepEqual(normPart(parts[1]), normPart(p2)) {
				t.Fatalf("parts after refused completion = %+v", parts)
			}
			// The parts' data survived: an unconditional retry completes.
			noErr(t, "CompleteUpload without a check", s.CompleteUpload(ctx, "u1", completed(b, "k", p1, p2), nil))
			assertCompleted(t, s, b, "k", "u1", data)
		})
	}
	t.Run("UnknownUploadWins", func(t *testing.T) {
		s := open(t)
		b := newBucket(t, s)
		put(t, s, b, "k", []byte("old"))
		createUpload(t, s, b, "k", "u1")
		p := putPart(t, s, b, "k", "u1", 1, []byte("part"))
		err := s.CompleteUpload(t.Context(), "u2", completed(b, "k", p), requireAbsent)
		wantErr(t, "conditional CompleteUpload of an unknown upload", err, coffer.ErrNoSuchUpload)
	})
	t.Run("Race", func(t *testing.T) { testCompleteCheckRace(t, open) })
}

// requireSameRecord passes only when the check is handed the whole
// current record, equal to old.
func requireSameRecord(old coffer.ObjectRecord) func(*coffer.ObjectRecord) error {
	return func(cur *coffer.ObjectRecord) error {
		if cur == nil {
			return fmt.Errorf("check saw no record, want %+v", old)
		}
		if g, w := normObject(*cur), normObject(old); !reflect.DeepEqual(g, w) {
			return fmt.Errorf("check saw %+v, want %+v", g, w)
		}
		return nil
	}
}

// assertCompleted checks that upload id made bucket/key from data and is gone.
func assertCompleted(t *testing.T, s coffer.Store, bucket, key, id string, data [][]byte) {
	t.Helper()
	got, err := s.GetObject(t.Context(), bucket, key)
	noErr(t, "GetObject after completion", err)
	if got.UploadID != id || len(got.Parts) != len(data) {
		t.Fatalf("completed record: upload %q, %d parts; want %q, %d", got.UploadID, len(got.Parts), id, len(data))
	}
	for i, want := range data {
		sameBytes(t, fmt.Sprintf("part %d", i+1), mustRead(t, s, got, i, 0, got.Parts[i].StoredSize), want)
	}
	_, err = s.GetUpload(t.Context(), bucket, key, id)
	wantErr(t, "GetUpload after completion", err, coffer.ErrNoSuchUpload)
}

// testCompleteCheckRace races conditional completions against conditional
// puts, all creating the same key: exactly one may win, and every upload
// that lost is still there, parts and all.
func testCompleteCheckRace(t *testing.T, open func(t *testing.T) coffer.Store) {
	s := open(t)
	ctx := t.Context()
	b := newBucket(t, s)
	const uploads, puts = 4, 4
	parts := make([]coffer.PartRecord, uploads)
	for i := range uploads {
		id := fmt.Sprintf("u%d", i)
		createUpload(t, s, b, "once", id)
		parts[i] = putPart(t, s, b, "once", id, 1, payload(uint64(50+i), 1000))
	}
	var won, lost atomic.Int32
	lostUploads := make(chan string, uploads)
	tally := func(err error) bool {
		switch {
		case err == nil:
			won.Add(1)
		case errors.Is(err, coffer.ErrPreconditionFailed):
			lost.Add(1)
			return true
		default:
			t.Errorf("conditional write: %v", err)
		}
		return false
	}
	var wg sync.WaitGroup
	for i := range uploads {
		wg.Go(func() {
			id := fmt.Sprintf("u%d", i)
			if tally(s.CompleteUpload(ctx, id, completed(b, "once", parts[i]), requireAbsent)) {
				lostUploads <- id
			}
		})
	}
	for i := range puts {
		wg.Go(func() {
			data := []byte(fmt.Sprintf("put %d", i))
			rec := sampleRecord(data)
			tally(tryPut(ctx, s, b, "once", data, &rec, requireAbsent))
		})
	}
	wg.Wait()
	close(lostUploads)
	if won.Load() != 1 || lost.Load() != uploads+puts-1 {
		t.Fatalf("%d conditional creates won and %d lost, want 1 and %d", won.Load(), lost.Load(), uploads+puts-1)
	}
	for id := range lostUploads {
		got, err := s.ListParts(ctx, b, "once", id)
		noErr(t, "ListParts of an upload that lost", err)
		if len(got) != 1 {
			t.Fatalf("upload %s lost its parts with the race", id)
		}
		noErr(t, "AbortUpload", s.AbortUpload(ctx, b, "once", id))
	}
}
