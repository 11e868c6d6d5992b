package sse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/dare"
	"github.com/cofferlabs/coffer/storage/mem"
)

// spyStore records every byte and record handed to the store and key
// store, so tests can search "what is at rest".
type spyStore struct {
	coffer.Store
	keys coffer.KeyStore
	mu   sync.Mutex
	seen [][]byte
}

func (s *spyStore) keep(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, bytes.Clone(b))
}

func (s *spyStore) keepJSON(v any) {
	b, _ := json.Marshal(v)
	s.keep(b)
}

func (s *spyStore) all() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Join(s.seen, []byte{0})
}

type spyWriter struct {
	coffer.DataWriter
	spy *spyStore
}

func (w spyWriter) Write(p []byte) (int, error) {
	w.spy.keep(p)
	return w.DataWriter.Write(p)
}

func (w spyWriter) Commit(ctx context.Context, rec coffer.CommitRecord) error {
	w.spy.keepJSON(rec)
	return w.DataWriter.Commit(ctx, rec)
}

func (s *spyStore) NewObjectWriter(ctx context.Context, bucket, key string) (coffer.DataWriter, error) {
	w, err := s.Store.NewObjectWriter(ctx, bucket, key)
	return spyWriter{w, s}, err
}

func (s *spyStore) NewPartWriter(ctx context.Context, bucket, key, uploadID string, part int) (coffer.DataWriter, error) {
	w, err := s.Store.NewPartWriter(ctx, bucket, key, uploadID, part)
	return spyWriter{w, s}, err
}

func (s *spyStore) UpdateObject(ctx context.Context, rec coffer.ObjectRecord) error {
	s.keepJSON(rec)
	return s.Store.UpdateObject(ctx, rec)
}

func (s *spyStore) CreateUpload(ctx context.Context, rec coffer.UploadRecord) error {
	s.keepJSON(rec)
	return s.Store.CreateUpload(ctx, rec)
}

func (s *spyStore) CompleteUpload(ctx context.Context, uploadID string, rec coffer.ObjectRecord, check func(*coffer.ObjectRecord) error) error {
	s.keepJSON(rec)
	return s.Store.CompleteUpload(ctx, uploadID, rec, check)
}

func (s *spyStore) UpdateUpload(ctx context.Context, rec coffer.UploadRecord) error {
	s.keepJSON(rec)
	return s.Store.UpdateUpload(ctx, rec)
}

func (s *spyStore) CreateKey(ctx context.Context, name string, sealed []byte) error {
	s.keep(sealed)
	return s.keys.CreateKey(ctx, name, sealed)
}

func (s *spyStore) PutKey(ctx context.Context, name string, sealed []byte) error {
	s.keep(sealed)
	return s.keys.PutKey(ctx, name, sealed)
}

func (s *spyStore) GetKey(ctx context.Context, name string) ([]byte, error) {
	return s.keys.GetKey(ctx, name)
}
func (s *spyStore) DeleteKey(ctx context.Context, name string) error {
	return s.keys.DeleteKey(ctx, name)
}
func (s *spyStore) ListKeys(ctx context.Context, prefix string) ([]string, error) {
	return s.keys.ListKeys(ctx, prefix)
}

// recordingReader remembers what it hands out.
type recordingReader struct {
	r    io.Reader
	seen []byte
}

func (r *recordingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.seen = append(r.seen, p[:n]...)
	return n, err
}

func TestNothingSecretAtRest(t *testing.T) {
	ctx := context.Background()
	m := mem.New()
	spy := &spyStore{Store: m, keys: m}
	masterRandom := &recordingReader{r: bytes.NewReader(patterned(1024, 0x5a))}
	ring, err := newKeyring(ctx, spy, testRootKey, newFakeClock().Now, masterRandom)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	masterKeys := [][]byte{masterRandom.seen[0:32], masterRandom.seen[44:76]}
	e := &env{t: t, ctx: ctx, store: spy, keys: spy, ring: ring, clock: newFakeClock()}
	e.svc = New(spy, ring, Options{Now: e.clock.Now})
	if err := e.svc.CreateBucket(ctx, testBucket); err != nil {
		t.Fatal(err)
	}

	marker := []byte("COFFER-PLAINTEXT-MARKER")
	body := bytes.Repeat(marker, (coffer.MinPartSize/len(marker))+10)
	e.put("single", body)
	e.multipartUpload("multi", coffer.UploadOptions{}, body[:coffer.MinPartSize], body[coffer.MinPartSize:])
	if _, err := e.svc.CopyObject(ctx, testBucket, "copy", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "multi"}}); err != nil {
		t.Fatal(err)
	}
	up, _ := e.svc.CreateMultipartUpload(ctx, testBucket, "pending", coffer.UploadOptions{})
	if _, err := e.svc.UploadPartCopy(ctx, testBucket, "pending", up.UploadID, 1, coffer.CopySource{Bucket: testBucket, Key: "single"}, coffer.PartOptions{}); err != nil {
		t.Fatal(err)
	}
	// Re-sealing every key, the pending upload's included, writes only
	// sealed keys.
	if _, err := ring.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	masterKeys = append(masterKeys, masterRandom.seen[88:120])
	if err := e.svc.Rewrap(ctx, nil); err != nil {
		t.Fatal(err)
	}

	secrets := map[string][]byte{"plaintext": marker, "root key": testRootKey}
	for i, k := range masterKeys {
		secrets["master key "+string(rune('1'+i))] = k
	}
	pending, err := e.store.GetUpload(ctx, testBucket, "pending", up.UploadID)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := dataKeyMasterVersion(pending.SealedKey); v != 3 {
		t.Fatalf("pending upload sealed under version %d after Rewrap, want 3", v)
	}
	pendingKey, err := e.svc.openDataKeyOf(ctx, uploadBinding(pending), pending.SealedKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	secrets["data key of the pending upload"] = pendingKey
	for _, key := range []string{"single", "multi", "copy"} {
		rec := e.record(key)
		dataKey, err := e.svc.openDataKeyOf(ctx, bindingOf(rec), rec.SealedKey, nil)
		if err != nil {
			t.Fatal(err)
		}
		secrets["data key of "+key] = dataKey
		for i := range max(len(rec.Parts), 1) {
			st := streamOf(rec, i)
			secrets[fmt.Sprintf("stream key %d of %s", i, key)] = streamKey(dataKey, st.part, st.nonce)
		}
	}
	atRest := spy.all()
	if len(atRest) < 3*len(body) {
		t.Fatalf("the spy saw only %d bytes", len(atRest))
	}
	for name, secret := range secrets {
		if bytes.Contains(atRest, secret) {
			t.Errorf("the store holds the %s", name)
		}
	}
}

// tamperStore alters the stored bytes of one stream as they are read.
type tamperStore struct {
	coffer.Store
	stream int
	alter  func(stored []byte, offset int64) []byte
}

func (s *tamperStore) OpenObjectData(ctx context.Context, rec coffer.ObjectRecord, stream int, offset, length int64) (io.ReadCloser, error) {
	rc, err := s.Store.OpenObjectData(ctx, rec, stream, offset, length)
	if err != nil || s.alter == nil || stream != s.stream {
		return rc, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(s.alter(b, offset))), nil
}

// flipAt flips one bit at a stored offset of the stream.
func flipAt(pos int64) func([]byte, int64) []byte {
	return func(b []byte, offset int64) []byte {
		if pos >= offset && pos < offset+int64(len(b)) {
			b[pos-offset] ^= 0x10
		}
		return b
	}
}

func TestTamperedDataNeverReadsAsPlaintext(t *testing.T) {
	const size = 3*dare.PackageSize + 100
	stored := dare.EncryptedSize(size)
	pkg := int64(dare.PackageSize + dare.PackageOverhead)
	data := patterned(size, 0x33)
	tests := []struct {
		name  string
		alter func([]byte, int64) []byte
		rng   *coffer.Range
	}{
		{"first header byte", flipAt(0), nil},
		{"header of package 2", flipAt(pkg + 3), nil},
		{"payload of package 1", flipAt(dare.PackageOverhead + 100), nil},
		{"tag of package 1", flipAt(pkg - 1), nil},
		{"last byte", flipAt(stored - 1), nil},
		{"ranged read of a flipped package", flipAt(2*pkg + 50), &coffer.Range{Start: 2*dare.PackageSize + 1, End: 2*dare.PackageSize + 2}},
		{"ranged read ending in a flipped last package", flipAt(stored - 1), &coffer.Range{IsSuffix: true, Suffix: 1}},
		{"truncated by one byte", func(b []byte, _ int64) []byte { return b[:len(b)-1] }, nil},
		{"last package dropped", func(b []byte, _ int64) []byte { return b[:3*pkg] }, nil},
		{"extended", func(b []byte, _ int64) []byte { return append(b, 0) }, nil},
		{"packages swapped", func(b []byte, _ int64) []byte {
			out := bytes.Clone(b)
			copy(out[:pkg], b[pkg:2*pkg])
			copy(out[pkg:2*pkg], b[:pkg])
			return out
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mem.New()
			ts := &tamperStore{Store: m}
			e := newEnvOn(t, ts, m)
			e.put("k", data)
			ts.alter = tc.alter
			got, r, err := e.read("k", coffer.GetOptions{Range: tc.rng})
			if !errors.Is(err, coffer.ErrCorruptData) {
				t.Fatalf("err = %v, want ErrCorruptData", err)
			}
			offset := int64(0)
			if r != nil {
				offset = r.Offset
			}
			if !bytes.Equal(got, data[offset:offset+int64(len(got))]) {
				t.Fatal("a tampered stream delivered wrong bytes")
			}
		})
	}
}

func TestTamperedRecordsFail(t *testing.T) {
	parts := [][]byte{patterned(coffer.MinPartSize, 1), patterned(coffer.MinPartSize, 2), patterned(10, 3)}
	tests := []struct {
		name    string
		tamper  func(e *env)
		read    string
		wantErr error
	}{
		{"sealed key of another object", func(e *env) {
			a, b := e.record("a"), e.record("b")
			b.SealedKey = a.SealedKey
			mustUpdate(e, b)
		}, "b", coffer.ErrSealedKeyInvalid},
		{"sealed keys swapped between buckets", func(e *env) {
			a := e.record("a")
			other, _ := e.store.GetObject(e.ctx, "other-bucket", "a")
			a.SealedKey, other.SealedKey = other.SealedKey, a.SealedKey
			mustUpdate(e, a)
			mustUpdate(e, other)
		}, "a", coffer.ErrSealedKeyInvalid},
		{"sealed key of a multipart object on a single-part one", func(e *env) {
			a, mp := e.record("a"), e.record("mp")
			a.SealedKey = mp.SealedKey
			mustUpdate(e, a)
		}, "a", coffer.ErrSealedKeyInvalid},
		{"part nonces swapped", func(e *env) {
			mp := e.record("mp")
			mp.Parts[0].Nonce, mp.Parts[1].Nonce = mp.Parts[1].Nonce, mp.Parts[0].Nonce
			mustUpdate(e, mp)
		}, "mp", coffer.ErrCorruptData},
		{"part numbers swapped", func(e *env) {
			mp := e.record("mp")
			mp.Parts[0].Number, mp.Parts[1].Number = mp.Parts[1].Number, mp.Parts[0].Number
			mustUpdate(e, mp)
		}, "mp", coffer.ErrCorruptData},
		{"size grown by one", func(e *env) {
			a := e.record("a")
			a.Size++
			mustUpdate(e, a)
		}, "a", coffer.ErrCorruptData},
		{"part size shrunk", func(e *env) {
			mp := e.record("mp")
			mp.Parts[2].Size--
			mp.Size--
			mustUpdate(e, mp)
		}, "mp", coffer.ErrCorruptData},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, b)
				if err := e.svc.CreateBucket(e.ctx, "other-bucket"); err != nil {
					t.Fatal(err)
				}
				e.put("a", []byte("object a"))
				e.put("b", []byte("object b"))
				if _, err := e.svc.PutObject(e.ctx, "other-bucket", "a", bytes.NewReader([]byte("other a")), coffer.PutOptions{Check: coffer.BodyCheck{Size: 7}}); err != nil {
					t.Fatal(err)
				}
				e.multipartUpload("mp", coffer.UploadOptions{}, parts...)
				tc.tamper(e)
				got, _, err := e.read(tc.read, coffer.GetOptions{})
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("read %d bytes, err = %v; want %v", len(got), err, tc.wantErr)
				}
			})
		}
	})
}

func mustUpdate(e *env, rec coffer.ObjectRecord) {
	e.t.Helper()
	if err := e.store.UpdateObject(e.ctx, rec); err != nil {
		e.t.Fatalf("UpdateObject: %v", err)
	}
}

func TestObjectsSurviveRotation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("v1", []byte("sealed under version 1"))
		e.multipartUpload("mp1", coffer.UploadOptions{}, []byte("multipart under version 1"))
		if _, err := e.ring.Rotate(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.put("v2", []byte("sealed under version 2"))
		for key, want := range map[string]uint32{"v1": 1, "mp1": 1, "v2": 2} {
			if v, _ := dataKeyMasterVersion(e.record(key).SealedKey); v != want {
				t.Fatalf("%s sealed under version %d, want %d", key, v, want)
			}
		}
		restarted := New(e.store, newTestKeyring(t, e.keys), Options{})
		for key, want := range map[string]string{"v1": "sealed under version 1", "mp1": "multipart under version 1", "v2": "sealed under version 2"} {
			for name, svc := range map[string]*Service{"running": e.svc, "restarted": restarted} {
				_, r, err := svc.GetObject(e.ctx, testBucket, key, coffer.GetOptions{})
				if err != nil {
					t.Fatalf("%s service, %s: %v", name, key, err)
				}
				got, err := io.ReadAll(r)
				r.Close()
				if err != nil || string(got) != want {
					t.Fatalf("%s service, %s reads %q, %v", name, key, got, err)
				}
			}
		}
	})
}
