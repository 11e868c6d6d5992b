package sse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/mem"
)

const secondBucket = "zz-second"

// fillObjects puts n small objects spread over two buckets.
func fillObjects(e *env, n int) {
	e.t.Helper()
	ensureSecondBucket(e)
	for i := range n {
		bucket := []string{testBucket, secondBucket}[i%2]
		body := fmt.Sprintf("object %d", i)
		if _, err := e.svc.PutObject(e.ctx, bucket, fmt.Sprintf("obj/%04d", i), bytes.NewReader([]byte(body)), coffer.PutOptions{Check: coffer.BodyCheck{Size: int64(len(body))}}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// fillUploads starts n multipart uploads, without parts, spread over two
// buckets.
func fillUploads(e *env, n int) {
	e.t.Helper()
	ensureSecondBucket(e)
	for i := range n {
		bucket := []string{testBucket, secondBucket}[i%2]
		if _, err := e.svc.CreateMultipartUpload(e.ctx, bucket, fmt.Sprintf("up/%04d", i), coffer.UploadOptions{}); err != nil {
			e.t.Fatal(err)
		}
	}
}

func ensureSecondBucket(e *env) {
	e.t.Helper()
	if err := e.svc.CreateBucket(e.ctx, secondBucket); err != nil && !errors.Is(err, coffer.ErrBucketExists) {
		e.t.Fatal(err)
	}
}

// versions counts object records per master key version and checks every
// object still reads.
func versions(e *env) map[uint32]int {
	e.t.Helper()
	out := map[uint32]int{}
	err := e.store.WalkObjects(e.ctx, coffer.ObjectID{}, func(rec coffer.ObjectRecord) error {
		v, err := dataKeyMasterVersion(rec.SealedKey)
		if err != nil {
			return err
		}
		out[v]++
		_, r, err := e.svc.GetObject(e.ctx, rec.Bucket, rec.Key, coffer.GetOptions{})
		if err != nil {
			return fmt.Errorf("%s/%s: %w", rec.Bucket, rec.Key, err)
		}
		defer r.Close()
		_, err = bytes.NewBuffer(nil).ReadFrom(r)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// uploadVersions counts pending uploads per master key version and checks
// every upload's key still unseals.
func uploadVersions(e *env) map[uint32]int {
	e.t.Helper()
	out := map[uint32]int{}
	buckets, err := e.store.ListBuckets(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, b := range buckets {
		uploads, err := e.store.ListUploads(e.ctx, b.Name)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, up := range uploads {
			v, err := dataKeyMasterVersion(up.SealedKey)
			if err != nil {
				e.t.Fatal(err)
			}
			out[v]++
			key, err := e.svc.openDataKeyOf(e.ctx, uploadBinding(up), up.SealedKey, nil)
			if err != nil {
				e.t.Fatalf("upload %s of %s/%s: %v", up.ID, up.Bucket, up.Key, err)
			}
			clear(key)
		}
	}
	return out
}

// progressLog records what Rewrap reports.
type progressLog struct{ reports [][2]int }

func (p *progressLog) record(done, total int) { p.reports = append(p.reports, [2]int{done, total}) }

// wantSteady checks the reports of a run that visited exactly the total
// it counted: (0, n), (1, n), ..., (n, n).
func (p *progressLog) wantSteady(t testing.TB, n int) {
	t.Helper()
	want := make([][2]int, n+1)
	for i := range want {
		want[i] = [2]int{i, n}
	}
	if !reflect.DeepEqual(p.reports, want) {
		t.Fatalf("progress reports %v, want (0..%d, %d)", p.reports, n, n)
	}
}

func (p *progressLog) last() [2]int { return p.reports[len(p.reports)-1] }

func TestRewrapMovesEveryRecordToTheCurrentVersion(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		fillObjects(e, 30)
		fillUploads(e, 4)
		e.multipartUpload("mp", coffer.UploadOptions{}, []byte("multipart"))
		dataIDs := map[string]string{}
		e.store.WalkObjects(e.ctx, coffer.ObjectID{}, func(rec coffer.ObjectRecord) error {
			dataIDs[rec.Bucket+"/"+rec.Key] = rec.DataID
			return nil
		})
		if _, err := e.ring.Rotate(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.put("already-current", []byte("x"))
		if _, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "already-current", coffer.UploadOptions{}); err != nil {
			t.Fatal(err)
		}
		var log progressLog
		if err := e.svc.Rewrap(e.ctx, log.record); err != nil {
			t.Fatal(err)
		}
		log.wantSteady(t, 32+5)
		if got := versions(e); got[2] != 32 || len(got) != 1 {
			t.Fatalf("objects per version after Rewrap: %v", got)
		}
		if got := uploadVersions(e); got[2] != 5 || len(got) != 1 {
			t.Fatalf("uploads per version after Rewrap: %v", got)
		}
		e.store.WalkObjects(e.ctx, coffer.ObjectID{}, func(rec coffer.ObjectRecord) error {
			if id, ok := dataIDs[rec.Bucket+"/"+rec.Key]; ok && id != rec.DataID {
				t.Errorf("Rewrap rewrote the data of %s/%s", rec.Bucket, rec.Key)
			}
			return nil
		})
		if _, err := e.keys.GetKey(e.ctx, checkpointName); !errors.Is(err, coffer.ErrKeyNotFound) {
			t.Fatalf("a finished rewrap left its checkpoint: %v", err)
		}
	})
}

// TestRewrapResealsPendingUploads checks that an upload re-sealed midway
// keeps its data key: parts sent before and after the Rewrap complete into
// one object that reads back whole.
func TestRewrapResealsPendingUploads(t *testing.T) {
	part1 := patterned(coffer.MinPartSize, 1)
	part2 := []byte("part sent after the rewrap")
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{Meta: coffer.ObjectMeta{ContentType: "text/x-test"}})
		if err != nil {
			t.Fatal(err)
		}
		p1, err := e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, 1, bytes.NewReader(part1), coffer.PartOptions{Check: coffer.BodyCheck{Size: int64(len(part1))}})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := e.store.GetUpload(e.ctx, testBucket, "k", up.UploadID)
		partsBefore, _ := e.store.ListParts(e.ctx, testBucket, "k", up.UploadID)
		if _, err := e.ring.Rotate(e.ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Rewrap(e.ctx, nil); err != nil {
			t.Fatal(err)
		}
		after, _ := e.store.GetUpload(e.ctx, testBucket, "k", up.UploadID)
		if v, _ := dataKeyMasterVersion(after.SealedKey); v != 2 {
			t.Fatalf("upload sealed under version %d after Rewrap, want 2", v)
		}
		after.SealedKey = before.SealedKey
		if !reflect.DeepEqual(after.Info(), before.Info()) {
			t.Fatalf("Rewrap changed more than the sealed key: %+v, was %+v", after, before)
		}
		partsAfter, _ := e.store.ListParts(e.ctx, testBucket, "k", up.UploadID)
		if !reflect.DeepEqual(partsAfter, partsBefore) {
			t.Fatalf("Rewrap changed the parts: %+v, was %+v", partsAfter, partsBefore)
		}
		p2, err := e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, 2, bytes.NewReader(part2), coffer.PartOptions{Check: coffer.BodyCheck{Size: int64(len(part2))}})
		if err != nil {
			t.Fatal(err)
		}
		list := []coffer.CompletePart{{Number: 1, ETag: p1.ETag}, {Number: 2, ETag: p2.ETag}}
		if _, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", up.UploadID, coffer.CompleteOptions{Parts: list}); err != nil {
			t.Fatal(err)
		}
		mustEqualBytes(t, e.mustRead("k"), append(bytes.Clone(part1), part2...))
		if v, _ := dataKeyMasterVersion(e.record("k").SealedKey); v != 2 {
			t.Fatalf("completed object sealed under version %d, want 2", v)
		}
	})
}

func TestRewrapResumesAfterInterruption(t *testing.T) {
	const objects, uploads = 120, 120
	tests := []struct {
		name      string
		stopAfter int
		wantPhase rewrapPhase
	}{
		{"among objects", 70, phaseObjects},
		{"among uploads", objects + 70, phaseUploads},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, b backend) {
				e := newEnv(t, b)
				fillObjects(e, objects)
				fillUploads(e, uploads)
				if _, err := e.ring.Rotate(e.ctx); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(e.ctx)
				defer cancel()
				var first progressLog
				err := e.svc.Rewrap(ctx, func(done, total int) {
					first.record(done, total)
					if done == tc.stopAfter {
						cancel()
					}
				})
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("interrupted Rewrap = %v, want context.Canceled", err)
				}
				if first.reports[0] != [2]int{0, objects + uploads} || first.last() != [2]int{tc.stopAfter, objects + uploads} {
					t.Fatalf("first run reported %v ... %v", first.reports[0], first.last())
				}
				cp, err := e.keys.GetKey(e.ctx, checkpointName)
				if err != nil {
					t.Fatalf("no checkpoint after an interrupted run: %v", err)
				}
				version, at, err := decodeCheckpoint(cp)
				if err != nil || version != 2 || at.Phase != tc.wantPhase || at.Key == "" {
					t.Fatalf("checkpoint = %d, %+v, %v", version, at, err)
				}
				if o, u := versions(e), uploadVersions(e); o[2]+u[2] != tc.stopAfter || o[1]+u[1] != objects+uploads-tc.stopAfter {
					t.Fatalf("after %d records: objects %v, uploads %v", tc.stopAfter, o, u)
				}
				var second progressLog
				if err := e.svc.Rewrap(e.ctx, second.record); err != nil {
					t.Fatal(err)
				}
				second.wantSteady(t, objects+uploads-tc.stopAfter)
				if o, u := versions(e), uploadVersions(e); o[2] != objects || u[2] != uploads {
					t.Fatalf("after resuming: objects %v, uploads %v", o, u)
				}
			})
		})
	}
}

func TestRewrapRestartsWhenTheCheckpointIsStale(t *testing.T) {
	tests := []struct {
		name       string
		checkpoint []byte
	}{
		{"for another version", encodeCheckpoint(1, rewrapPosition{Phase: phaseUploads, Bucket: secondBucket, Key: "up/0001", UploadID: "~"})},
		{"in format 1", []byte{1, 0, 0, 0, 2, 0, 0, 0, 9, 'z', 'z', '-', 's', 'e', 'c', 'o', 'n', 'd', 0, 0, 0, 8, 'o', 'b', 'j', '/', '0', '0', '0', '9'}},
		{"unreadable", []byte("not a checkpoint")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, backends[0])
			fillObjects(e, 10)
			fillUploads(e, 2)
			putKey(t, e.keys, checkpointName, tc.checkpoint)
			if _, err := e.ring.Rotate(e.ctx); err != nil {
				t.Fatal(err)
			}
			var log progressLog
			if err := e.svc.Rewrap(e.ctx, log.record); err != nil {
				t.Fatal(err)
			}
			log.wantSteady(t, 12)
			if o, u := versions(e), uploadVersions(e); o[2] != 10 || u[2] != 2 {
				t.Fatalf("objects %v, uploads %v", o, u)
			}
		})
	}
}

// racingStore reports every record update as lost to a concurrent write:
// objects replaced, uploads completed or aborted.
type racingStore struct{ coffer.Store }

func (racingStore) UpdateObject(context.Context, coffer.ObjectRecord) error {
	return coffer.ErrConcurrentUpdate
}

func (racingStore) UpdateUpload(context.Context, coffer.UploadRecord) error {
	return coffer.ErrNoSuchUpload
}

func TestRewrapSkipsRecordsReplacedMeanwhile(t *testing.T) {
	m := mem.New()
	e := newEnvOn(t, racingStore{m}, m)
	fillObjects(e, 5)
	fillUploads(e, 3)
	if _, err := e.ring.Rotate(e.ctx); err != nil {
		t.Fatal(err)
	}
	var log progressLog
	if err := e.svc.Rewrap(e.ctx, log.record); err != nil {
		t.Fatalf("Rewrap = %v, want the lost races skipped", err)
	}
	log.wantSteady(t, 8)
}

func TestRewrapReportsUnreadableKeysAndGoesOn(t *testing.T) {
	e := newEnv(t, backends[0])
	fillObjects(e, 6)
	fillUploads(e, 4)
	broken := e.record("obj/0002")
	broken.SealedKey = bytes.Clone(broken.SealedKey)
	broken.SealedKey[len(broken.SealedKey)-1] ^= 1
	mustUpdate(e, broken)
	uploads, err := e.store.ListUploads(e.ctx, testBucket)
	if err != nil || len(uploads) != 2 {
		t.Fatalf("ListUploads = %d, %v", len(uploads), err)
	}
	brokenUp := uploads[0]
	brokenUp.SealedKey = bytes.Clone(brokenUp.SealedKey)
	brokenUp.SealedKey[len(brokenUp.SealedKey)-1] ^= 1
	if err := e.store.UpdateUpload(e.ctx, brokenUp); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ring.Rotate(e.ctx); err != nil {
		t.Fatal(err)
	}
	var log progressLog
	err = e.svc.Rewrap(e.ctx, log.record)
	if !errors.Is(err, coffer.ErrSealedKeyInvalid) {
		t.Fatalf("Rewrap = %v, want ErrSealedKeyInvalid", err)
	}
	log.wantSteady(t, 10)
	objects := map[uint32]int{}
	e.store.WalkObjects(e.ctx, coffer.ObjectID{}, func(rec coffer.ObjectRecord) error {
		v, _ := dataKeyMasterVersion(rec.SealedKey)
		objects[v]++
		return nil
	})
	if objects[2] != 5 || objects[1] != 1 {
		t.Fatalf("object versions %v: the other records must be re-sealed", objects)
	}
	upVersions := map[uint32]int{}
	for _, bucket := range []string{testBucket, secondBucket} {
		ups, _ := e.store.ListUploads(e.ctx, bucket)
		for _, up := range ups {
			v, _ := dataKeyMasterVersion(up.SealedKey)
			upVersions[v]++
		}
	}
	if upVersions[2] != 3 || upVersions[1] != 1 {
		t.Fatalf("upload versions %v: the other uploads must be re-sealed", upVersions)
	}
	// The walk ended, so a rerun starts over and retries the broken keys
	// instead of resuming past them.
	if _, err := e.keys.GetKey(e.ctx, checkpointName); !errors.Is(err, coffer.ErrKeyNotFound) {
		t.Fatalf("a finished rewrap with failures left its checkpoint: %v", err)
	}
}

// TestRewrapProgressWhenRecordsChange checks that writes landing during a
// run never make done pass total, and that a run ends with done == total.
func TestRewrapProgressWhenRecordsChange(t *testing.T) {
	const counted = 8 // 6 objects and 2 uploads
	tests := []struct {
		name   string
		change func(e *env)
		want   [][2]int
	}{
		{"an object added", func(e *env) { e.put("zzz-last", []byte("late")) },
			[][2]int{{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8}, {5, 8}, {6, 8}, {7, 8}, {8, 8}, {9, 9}}},
		{"an object deleted", func(e *env) {
			if err := e.svc.DeleteObject(e.ctx, secondBucket, "obj/0005"); err != nil {
				e.t.Fatal(err)
			}
		}, [][2]int{{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8}, {5, 8}, {6, 8}, {7, 8}, {7, 7}}},
		{"an upload aborted", func(e *env) {
			ups, _ := e.store.ListUploads(e.ctx, secondBucket)
			if err := e.svc.AbortMultipartUpload(e.ctx, secondBucket, ups[0].Key, ups[0].ID); err != nil {
				e.t.Fatal(err)
			}
		}, [][2]int{{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8}, {5, 8}, {6, 8}, {7, 8}, {7, 7}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, backends[0])
			fillObjects(e, 6)
			fillUploads(e, 2)
			if _, err := e.ring.Rotate(e.ctx); err != nil {
				t.Fatal(err)
			}
			var log progressLog
			err := e.svc.Rewrap(e.ctx, func(done, total int) {
				if done == 0 && total == counted {
					tc.change(e) // after the pre-walk, before the first record
				}
				log.record(done, total)
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(log.reports, tc.want) {
				t.Fatalf("progress reports %v, want %v", log.reports, tc.want)
			}
		})
	}
}

func TestCompleteResealsAnUploadKeyFromBeforeRotation(t *testing.T) {
	e := newEnv(t, backends[0])
	up, _ := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{})
	part, err := e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, 1, bytes.NewReader([]byte("before")), coffer.PartOptions{Check: coffer.BodyCheck{Size: 6}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ring.Rotate(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", up.UploadID, coffer.CompleteOptions{Parts: []coffer.CompletePart{{Number: 1, ETag: part.ETag}}}); err != nil {
		t.Fatal(err)
	}
	if v, _ := dataKeyMasterVersion(e.record("k").SealedKey); v != 2 {
		t.Fatalf("completed object sealed under version %d, want 2", v)
	}
	if got := e.mustRead("k"); string(got) != "before" {
		t.Fatalf("reads %q", got)
	}
}
