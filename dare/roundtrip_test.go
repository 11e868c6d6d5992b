package dare

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

var roundTripSizes = []struct {
	name string
	size int
}{
	{"empty", 0},
	{"one byte", 1},
	{"one package short of a byte", PackageSize - 1},
	{"one full package", PackageSize},
	{"one package and a byte", PackageSize + 1},
	{"two full packages", 2 * PackageSize},
	{"150 KiB", 150 << 10},
}

// writeModes feed plaintext to a writer in the ways callers do.
var writeModes = []struct {
	name  string
	write func(w io.Writer, p []byte) error
}{
	{"one Write", func(w io.Writer, p []byte) error { _, err := w.Write(p); return err }},
	{"1000-byte Writes", func(w io.Writer, p []byte) error { return writeChunks(w, p, 1000) }},
	{"64 KiB Writes", func(w io.Writer, p []byte) error { return writeChunks(w, p, PackageSize) }},
	{"64 KiB+1 Writes", func(w io.Writer, p []byte) error { return writeChunks(w, p, PackageSize+1) }},
	{"ReadFrom", func(w io.Writer, p []byte) error {
		_, err := w.(io.ReaderFrom).ReadFrom(bytes.NewReader(p))
		return err
	}},
	{"ReadFrom, one byte per Read", func(w io.Writer, p []byte) error {
		_, err := w.(io.ReaderFrom).ReadFrom(iotest.OneByteReader(bytes.NewReader(p)))
		return err
	}},
	{"Write then ReadFrom", func(w io.Writer, p []byte) error {
		half := len(p) / 2
		if _, err := w.Write(p[:half]); err != nil {
			return err
		}
		_, err := w.(io.ReaderFrom).ReadFrom(iotest.HalfReader(bytes.NewReader(p[half:])))
		return err
	}},
}

func writeChunks(w io.Writer, p []byte, size int) error {
	for len(p) > 0 {
		n := min(size, len(p))
		if _, err := w.Write(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// readModes drain a reader in the ways callers do.
var readModes = []struct {
	name string
	read func(r io.Reader) ([]byte, error)
}{
	{"small Reads", readAllChecked},
	{"large Reads", func(r io.Reader) ([]byte, error) {
		var out bytes.Buffer
		_, err := io.CopyBuffer(&out, readerOnly{r}, make([]byte, PackageSize+7))
		return out.Bytes(), err
	}},
	{"WriteTo", func(r io.Reader) ([]byte, error) {
		var out bytes.Buffer
		_, err := r.(io.WriterTo).WriteTo(&out)
		return out.Bytes(), err
	}},
	{"one byte per Read", func(r io.Reader) ([]byte, error) { return io.ReadAll(iotest.OneByteReader(r)) }},
}

func TestRoundTrip(t *testing.T) {
	for _, size := range roundTripSizes {
		plaintext := patterned(size.size)
		want := encrypt(t, plaintext)
		for _, wm := range writeModes {
			t.Run(size.name+"/"+wm.name, func(t *testing.T) {
				var out bytes.Buffer
				w, err := newWriterWithNonce(&out, testKey, testNonce)
				if err != nil {
					t.Fatal(err)
				}
				if err := wm.write(w, plaintext); err != nil {
					t.Fatal(err)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out.Bytes(), want) {
					t.Fatal("the stream depends on how the plaintext was written")
				}
			})
		}
		for _, rm := range readModes {
			t.Run(size.name+"/"+rm.name, func(t *testing.T) {
				r, err := NewReader(iotest.HalfReader(bytes.NewReader(want)), testKey)
				if err != nil {
					t.Fatal(err)
				}
				got, err := rm.read(r)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, plaintext) {
					t.Fatalf("read %d bytes, not the %d written", len(got), len(plaintext))
				}
			})
		}
	}
}

func TestWriterUsesFreshNonces(t *testing.T) {
	var a, b bytes.Buffer
	for _, dst := range []*bytes.Buffer{&a, &b} {
		w, err := NewWriter(dst, testKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("same plaintext")); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if bytes.Equal(a.Bytes()[6:headerSize], b.Bytes()[6:headerSize]) {
		t.Fatal("two streams got the same stream nonce")
	}
	if bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two streams of the same plaintext are identical")
	}
}

func TestBadKeys(t *testing.T) {
	cases := []struct {
		name string
		key  []byte
	}{
		{"nil", nil},
		{"AES-128 sized", make([]byte, 16)},
		{"one byte short", make([]byte, 31)},
		{"one byte long", make([]byte, 33)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := NewWriter(io.Discard, c.key); !errors.Is(err, errKeySize) {
				t.Errorf("NewWriter: err = %v", err)
			}
			if _, err := NewReader(bytes.NewReader(nil), c.key); !errors.Is(err, errKeySize) {
				t.Errorf("NewReader: err = %v", err)
			}
			if _, err := NewRangeReader(bytes.NewReader(nil), c.key, 10, 0, 1); !errors.Is(err, errKeySize) {
				t.Errorf("NewRangeReader: err = %v", err)
			}
		})
	}
}

// failingWriter accepts limit bytes, then fails or writes short.
type failingWriter struct {
	limit int
	short bool
}

var errDisk = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= f.limit {
		f.limit -= len(p)
		return len(p), nil
	}
	if f.short {
		return f.limit, nil
	}
	return 0, errDisk
}

func TestWriterErrors(t *testing.T) {
	plaintext := patterned(3 * PackageSize)
	cases := []struct {
		name    string
		dst     *failingWriter
		wantErr error
	}{
		{"dst fails on the first package", &failingWriter{limit: 0}, errDisk},
		{"dst fails on the second package", &failingWriter{limit: stored}, errDisk},
		{"dst fails on the final package", &failingWriter{limit: 2 * stored}, errDisk},
		{"dst writes short", &failingWriter{limit: stored + 5, short: true}, io.ErrShortWrite},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := NewWriter(c.dst, testKey)
			if err != nil {
				t.Fatal(err)
			}
			_, werr := w.Write(plaintext)
			cerr := w.Close()
			if !errors.Is(werr, c.wantErr) && !errors.Is(cerr, c.wantErr) {
				t.Fatalf("Write: %v, Close: %v; want %v", werr, cerr, c.wantErr)
			}
			if !errors.Is(cerr, c.wantErr) {
				t.Fatalf("Close after a failure = %v, want %v", cerr, c.wantErr)
			}
			if _, err := w.Write([]byte("x")); !errors.Is(err, c.wantErr) {
				t.Fatalf("Write after a failure = %v, want %v", err, c.wantErr)
			}
		})
	}
}

func TestWriterClose(t *testing.T) {
	var out bytes.Buffer
	w, err := NewWriter(&out, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil", err)
	}
	if out.Len() != PackageOverhead {
		t.Fatalf("empty stream is %d bytes, want %d", out.Len(), PackageOverhead)
	}
	if _, err := w.Write([]byte("late")); !errors.Is(err, errClosed) {
		t.Fatalf("Write after Close = %v, want errClosed", err)
	}
	if _, err := w.(io.ReaderFrom).ReadFrom(bytes.NewReader([]byte("late"))); !errors.Is(err, errClosed) {
		t.Fatalf("ReadFrom after Close = %v, want errClosed", err)
	}
	if out.Len() != PackageOverhead {
		t.Fatal("a closed writer wrote more")
	}
}

func TestWriterReadFromPassesSourceErrors(t *testing.T) {
	errSource := errors.New("connection reset")
	w, err := NewWriter(io.Discard, testKey)
	if err != nil {
		t.Fatal(err)
	}
	src := io.MultiReader(bytes.NewReader(patterned(PackageSize+10)), iotest.ErrReader(errSource))
	if _, err := w.(io.ReaderFrom).ReadFrom(src); !errors.Is(err, errSource) {
		t.Fatalf("ReadFrom = %v, want the source's error", err)
	}
}

func TestReaderPassesSourceErrors(t *testing.T) {
	errSource := errors.New("connection reset")
	stream := encrypt(t, patterned(2*PackageSize))
	src := io.MultiReader(bytes.NewReader(stream[:stored+100]), iotest.ErrReader(errSource))
	r, err := NewReader(src, testKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAllChecked(r)
	if !errors.Is(err, errSource) || errors.Is(err, ErrAuthentication) {
		t.Fatalf("err = %v, want the source's error", err)
	}
	if !bytes.Equal(got, patterned(PackageSize)) {
		t.Fatalf("got %d bytes before the error, want the first package", len(got))
	}
	if _, err := r.Read(make([]byte, 10)); !errors.Is(err, errSource) {
		t.Fatalf("error is not sticky: %v", err)
	}
}

func TestReaderEmptyStreamLargeRead(t *testing.T) {
	r, err := NewReader(bytes.NewReader(encrypt(t, nil)), testKey)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(make([]byte, 2*PackageSize)); n != 0 || err != io.EOF {
		t.Fatalf("Read = %d, %v; want 0, EOF", n, err)
	}
}
