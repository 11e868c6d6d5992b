package checksum

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/cofferlabs/coffer"
)

var modes = []struct {
	name string
	mode hashMode
}{
	{"inline", hashInline},
	{"parallel", hashParallel},
}

// body returns n bytes that differ from chunk to chunk.
func body(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i%251) ^ byte(i/65521)
	}
	return b
}

// drains consume a Reader the ways callers do.
var drains = []struct {
	name  string
	drain func(r *Reader) ([]byte, error)
}{
	{"ReadAll", func(r *Reader) ([]byte, error) { return io.ReadAll(r) }},
	{"small Reads", func(r *Reader) ([]byte, error) { return io.ReadAll(iotest.HalfReader(r)) }},
	{"WriteTo", func(r *Reader) ([]byte, error) {
		var out bytes.Buffer
		_, err := r.WriteTo(&out)
		return out.Bytes(), err
	}},
	{"io.Copy into a ReaderFrom", func(r *Reader) ([]byte, error) {
		var out bytes.Buffer
		_, err := io.Copy(readFromOnly{&out}, r)
		return out.Bytes(), err
	}},
}

// readFromOnly is a writer with ReadFrom, like dare's.
type readFromOnly struct{ b *bytes.Buffer }

func (w readFromOnly) Write(p []byte) (int, error)         { return w.b.Write(p) }
func (w readFromOnly) ReadFrom(r io.Reader) (int64, error) { return w.b.ReadFrom(r) }

func wantNoError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func checkFor(size int64, alg coffer.ChecksumAlgorithm) coffer.BodyCheck {
	return coffer.BodyCheck{Size: size, Checksum: alg}
}

func TestReaderComputes(t *testing.T) {
	sizes := []struct {
		name string
		n    int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"one chunk short of a byte", chunkSize - 1},
		{"one chunk", chunkSize},
		{"one chunk and a byte", chunkSize + 1},
		{"three chunks and some", 3*chunkSize + 17},
	}
	for _, size := range sizes {
		data := body(size.n)
		wantMD5 := md5.Sum(data)
		for _, alg := range append([]coffer.ChecksumAlgorithm{coffer.ChecksumNone}, algorithms...) {
			for _, m := range modes {
				for _, d := range drains {
					t.Run(size.name+"/"+string(alg)+"/"+m.name+"/"+d.name, func(t *testing.T) {
						check := checkFor(int64(size.n), alg)
						if size.n%2 == 1 {
							check.Size = -1 // unknown length
						}
						r := newReader(bytes.NewReader(data), check, m.mode)
						got, err := d.drain(r)
						wantNoError(t, err)
						if !bytes.Equal(got, data) {
							t.Fatalf("passed %d bytes through, want %d", len(got), len(data))
						}
						if r.N() != int64(size.n) {
							t.Fatalf("N = %d, want %d", r.N(), size.n)
						}
						if !bytes.Equal(r.MD5(), wantMD5[:]) {
							t.Fatalf("MD5 = %x, want %x", r.MD5(), wantMD5)
						}
						want := coffer.Checksum{}
						if alg != coffer.ChecksumNone {
							want = coffer.Checksum{Algorithm: alg, Type: coffer.ChecksumFullObject, Value: sumOf(alg, data)}
						}
						if r.Checksum() != want {
							t.Fatalf("Checksum = %+v, want %+v", r.Checksum(), want)
						}
						if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
							t.Fatalf("Read after the end = %d, %v", n, err)
						}
					})
				}
			}
		}
	}
}

func TestReaderKnownAnswers(t *testing.T) {
	for _, v := range vectors {
		for _, alg := range algorithms {
			t.Run(v.name+"/"+string(alg), func(t *testing.T) {
				r := NewReader(bytes.NewReader(v.input), coffer.BodyCheck{Size: -1, Checksum: alg, ChecksumValue: v.want[alg]})
				if _, err := io.Copy(io.Discard, r); err != nil {
					t.Fatal(err)
				}
				if r.Checksum().Value != v.want[alg] {
					t.Fatalf("Checksum = %s, want %s", r.Checksum().Value, v.want[alg])
				}
			})
		}
	}
	for _, v := range md5Vectors {
		t.Run("MD5/"+v.name, func(t *testing.T) {
			r := NewReader(bytes.NewReader(v.input), coffer.BodyCheck{Size: int64(len(v.input))})
			if _, err := io.Copy(io.Discard, r); err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(r.MD5()); got != v.want {
				t.Fatalf("MD5 = %s, want %s", got, v.want)
			}
		})
	}
}

func TestReaderVerifies(t *testing.T) {
	data := []byte("hello world")
	goodMD5 := md5.Sum(data)
	goodSHA := sha256.Sum256(data)
	otherSHA := sha256.Sum256([]byte("hello worle"))
	const goodCRC, badCRC = "DUoRhQ==", "NhCmhg=="
	trailer := func(v string) func() string { return func() string { return v } }
	cases := []struct {
		name    string
		check   coffer.BodyCheck
		wantErr error // nil: the body verifies
	}{
		{"nothing declared", coffer.BodyCheck{Size: -1}, nil},
		{"exact size", coffer.BodyCheck{Size: 11}, nil},
		{"body shorter than declared", coffer.BodyCheck{Size: 12}, coffer.ErrIncompleteBody},
		{"body longer than declared", coffer.BodyCheck{Size: 10}, coffer.ErrIncompleteBody},
		{"empty body, size declared", coffer.BodyCheck{Size: 0}, coffer.ErrIncompleteBody},
		{"right Content-MD5", coffer.BodyCheck{Size: 11, ContentMD5: goodMD5[:]}, nil},
		{"wrong Content-MD5", coffer.BodyCheck{Size: 11, ContentMD5: make([]byte, 16)}, coffer.ErrBadDigest},
		{"short Content-MD5", coffer.BodyCheck{Size: 11, ContentMD5: goodMD5[:15]}, coffer.ErrBadDigest},
		{"right SHA-256", coffer.BodyCheck{Size: 11, SHA256: hex.EncodeToString(goodSHA[:])}, nil},
		{"right SHA-256 in upper case", coffer.BodyCheck{Size: 11, SHA256: strings.ToUpper(hex.EncodeToString(goodSHA[:]))}, nil},
		{"wrong SHA-256", coffer.BodyCheck{Size: 11, SHA256: hex.EncodeToString(otherSHA[:])}, coffer.ErrSHA256Mismatch},
		{"SHA-256 not hex", coffer.BodyCheck{Size: 11, SHA256: "UNSIGNED-PAYLOAD"}, coffer.ErrSHA256Mismatch},
		{"right checksum header", coffer.BodyCheck{Size: 11, Checksum: coffer.ChecksumCRC32, ChecksumValue: goodCRC}, nil},
		{"wrong checksum header", coffer.BodyCheck{Size: 11, Checksum: coffer.ChecksumCRC32, ChecksumValue: badCRC}, coffer.ErrChecksumMismatch},
		{"right checksum trailer", coffer.BodyCheck{Size: -1, Checksum: coffer.ChecksumCRC32, ChecksumTrailer: trailer(goodCRC)}, nil},
		{"wrong checksum trailer", coffer.BodyCheck{Size: -1, Checksum: coffer.ChecksumCRC32, ChecksumTrailer: trailer(badCRC)}, coffer.ErrChecksumMismatch},
		{"header wins over trailer", coffer.BodyCheck{Size: 11, Checksum: coffer.ChecksumCRC32, ChecksumValue: goodCRC, ChecksumTrailer: trailer(badCRC)}, nil},
		{"empty trailer is not checked", coffer.BodyCheck{Size: 11, Checksum: coffer.ChecksumCRC32, ChecksumTrailer: trailer("")}, nil},
		{"right SHA256 checksum and payload hash", coffer.BodyCheck{
			Size: 11, SHA256: hex.EncodeToString(goodSHA[:]),
			Checksum: coffer.ChecksumSHA256, ChecksumValue: "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
		}, nil},
		{"right CRC64NVME", coffer.BodyCheck{Size: 11, Checksum: coffer.ChecksumCRC64NVME, ChecksumValue: "jSnVw/bqjr4="}, nil},
		{"wrong CRC64NVME", coffer.BodyCheck{Size: 11, Checksum: coffer.ChecksumCRC64NVME, ChecksumValue: "OOJZ0D8xKts="}, coffer.ErrChecksumMismatch},
		{"all wrong and short: size first", coffer.BodyCheck{
			Size: 12, ContentMD5: make([]byte, 16), SHA256: hex.EncodeToString(otherSHA[:]),
			Checksum: coffer.ChecksumCRC32, ChecksumValue: badCRC,
		}, coffer.ErrIncompleteBody},
		{"all hashes wrong: Content-MD5 first", coffer.BodyCheck{
			Size: 11, ContentMD5: make([]byte, 16), SHA256: hex.EncodeToString(otherSHA[:]),
			Checksum: coffer.ChecksumCRC32, ChecksumValue: badCRC,
		}, coffer.ErrBadDigest},
		{"SHA-256 and checksum wrong: SHA-256 first", coffer.BodyCheck{
			Size: 11, ContentMD5: goodMD5[:], SHA256: hex.EncodeToString(otherSHA[:]),
			Checksum: coffer.ChecksumCRC32, ChecksumValue: badCRC,
		}, coffer.ErrSHA256Mismatch},
	}
	for _, c := range cases {
		for _, m := range modes {
			for _, d := range drains {
				t.Run(c.name+"/"+m.name+"/"+d.name, func(t *testing.T) {
					r := newReader(bytes.NewReader(data), c.check, m.mode)
					got, err := d.drain(r)
					if c.wantErr == nil {
						wantNoError(t, err)
					} else if !errors.Is(err, c.wantErr) {
						t.Fatalf("err = %v, want %v", err, c.wantErr)
					}
					if !bytes.HasPrefix(data, got) || (c.check.Size >= 0 && int64(len(got)) > c.check.Size) {
						t.Fatalf("passed through %q", got)
					}
					if _, err2 := r.Read(make([]byte, 4)); c.wantErr != nil && !errors.Is(err2, c.wantErr) {
						t.Fatalf("error is not sticky: %v", err2)
					}
				})
			}
		}
	}
}

func TestReaderArgumentErrors(t *testing.T) {
	cases := []struct {
		name  string
		check coffer.BodyCheck
		read  int // bytes the source may give up before the error
	}{
		{"unknown algorithm", coffer.BodyCheck{Size: 11, Checksum: "MD5"}, 0},
		{"lower-case algorithm", coffer.BodyCheck{Size: 11, Checksum: "crc32"}, 0},
		{"malformed trailer value", coffer.BodyCheck{Size: 11, Checksum: coffer.ChecksumCRC32, ChecksumTrailer: func() string { return "not base64!" }}, 12},
		{"trailer value of the wrong length", coffer.BodyCheck{Size: 11, Checksum: coffer.ChecksumCRC32C, ChecksumTrailer: func() string { return "jSnVw/bqjr4=" }}, 12},
	}
	for _, c := range cases {
		for _, m := range modes {
			t.Run(c.name+"/"+m.name, func(t *testing.T) {
				src := &countingReader{r: strings.NewReader("hello world")}
				_, err := io.Copy(io.Discard, newReader(src, c.check, m.mode))
				var argErr *coffer.ArgumentError
				if !errors.As(err, &argErr) {
					t.Fatalf("err = %v, want an *ArgumentError", err)
				}
				if src.n > int64(c.read) {
					t.Fatalf("read %d bytes of the body before failing", src.n)
				}
			})
		}
	}
}

// TestReaderTrailerAfterBody checks that the trailer is asked for only once
// the body has been read to its end.
func TestReaderTrailerAfterBody(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			src := &eofTracker{r: strings.NewReader("hello world")}
			check := coffer.BodyCheck{Size: -1, Checksum: coffer.ChecksumCRC32, ChecksumTrailer: func() string {
				if !src.sawEOF {
					t.Error("trailer asked for before the body ended")
				}
				return "DUoRhQ=="
			}}
			if _, err := io.Copy(io.Discard, newReader(src, check, m.mode)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

type eofTracker struct {
	r      io.Reader
	sawEOF bool
}

func (e *eofTracker) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		e.sawEOF = true
	}
	return n, err
}

// endless never ends; it counts what is read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	clear(p)
	e.n += int64(len(p))
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestReaderReadsAtMostSizePlusOne(t *testing.T) {
	for _, size := range []int64{0, 10, chunkSize - 1, chunkSize, 2*chunkSize + 3} {
		for _, m := range modes {
			for _, d := range drains {
				t.Run(m.name+"/"+d.name, func(t *testing.T) {
					src := &endless{}
					check := coffer.BodyCheck{Size: size, Checksum: coffer.ChecksumCRC32C, SHA256: strings.Repeat("0", 64)}
					got, err := d.drain(newReader(src, check, m.mode))
					if !errors.Is(err, coffer.ErrIncompleteBody) {
						t.Fatalf("err = %v, want ErrIncompleteBody", err)
					}
					if src.n > size+1 {
						t.Fatalf("read %d bytes from the body for a declared %d", src.n, size)
					}
					if int64(len(got)) > size {
						t.Fatalf("passed %d bytes through for a declared %d", len(got), size)
					}
				})
			}
		}
	}
}

func TestReaderPassesSourceErrors(t *testing.T) {
	errNet := errors.New("connection reset by peer")
	for _, m := range modes {
		for _, d := range drains {
			t.Run(m.name+"/"+d.name, func(t *testing.T) {
				src := io.MultiReader(bytes.NewReader(body(chunkSize+100)), iotest.ErrReader(errNet))
				check := coffer.BodyCheck{Size: 2 * chunkSize, SHA256: strings.Repeat("0", 64), Checksum: coffer.ChecksumCRC32}
				_, err := d.drain(newReader(src, check, m.mode))
				if !errors.Is(err, errNet) {
					t.Fatalf("err = %v, want the source's error", err)
				}
			})
		}
	}
}

func TestReaderHashesInlineForMD5Only(t *testing.T) {
	cases := []struct {
		name         string
		check        coffer.BodyCheck
		wantParallel bool
	}{
		{"MD5 only", coffer.BodyCheck{Size: -1}, false},
		{"MD5 and Content-MD5", coffer.BodyCheck{Size: 5, ContentMD5: make([]byte, 16)}, false},
		{"MD5 and SHA-256", coffer.BodyCheck{Size: -1, SHA256: strings.Repeat("0", 64)}, true},
		{"MD5 and CRC32", coffer.BodyCheck{Size: -1, Checksum: coffer.ChecksumCRC32}, true},
		{"MD5 and SHA256 checksum and payload hash", coffer.BodyCheck{Size: -1, Checksum: coffer.ChecksumSHA256, SHA256: strings.Repeat("0", 64)}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(strings.NewReader("hello"), c.check)
			if (r.chunks != nil) != c.wantParallel {
				t.Fatalf("parallel = %v, want %v", r.chunks != nil, c.wantParallel)
			}
		})
	}
	t.Run("SHA-256 computed once when both ask for it", func(t *testing.T) {
		r := NewReader(strings.NewReader("hello"), cases[4].check)
		if len(r.hashes) != 2 {
			t.Fatalf("%d hashes, want MD5 and one SHA-256", len(r.hashes))
		}
	})
}

// TestReaderAbandoned checks that a Reader dropped halfway leaves no
// goroutine behind: hash goroutines live for one chunk only.
func TestReaderAbandoned(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 10 {
		check := coffer.BodyCheck{Size: -1, SHA256: strings.Repeat("0", 64), Checksum: coffer.ChecksumCRC64NVME}
		r := NewReader(&endless{}, check)
		if _, err := io.ReadFull(r, make([]byte, chunkSize+10)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left behind", runtime.NumGoroutine()-before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// barrierHash blocks its first Write until every barrierHash of the group
// has started one, which only happens when the hashes run concurrently.
type barrierHash struct {
	hash.Hash
	arrived *sync.WaitGroup
	once    sync.Once
	stuck   *atomic.Bool
}

func (b *barrierHash) Write(p []byte) (int, error) {
	b.once.Do(func() {
		b.arrived.Done()
		all := make(chan struct{})
		go func() { b.arrived.Wait(); close(all) }()
		select {
		case <-all:
		case <-time.After(time.Minute):
			b.stuck.Store(true)
		}
	})
	return b.Hash.Write(p)
}

func TestReaderHashesRunConcurrently(t *testing.T) {
	check := coffer.BodyCheck{Size: -1, SHA256: strings.Repeat("0", 64), Checksum: coffer.ChecksumCRC32}
	r := NewReader(bytes.NewReader(body(2*chunkSize+5)), check)
	var arrived sync.WaitGroup
	var stuck atomic.Bool
	arrived.Add(len(r.hashes))
	for i, h := range r.hashes {
		r.hashes[i] = &barrierHash{Hash: h, arrived: &arrived, stuck: &stuck}
	}
	if _, err := io.Copy(io.Discard, r); !errors.Is(err, coffer.ErrSHA256Mismatch) {
		t.Fatalf("err = %v, want ErrSHA256Mismatch", err)
	}
	if stuck.Load() {
		t.Fatal("the hashes did not run at the same time")
	}
}
