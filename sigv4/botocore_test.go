package sigv4

import (
	"bytes"
	"encoding/pem"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// botoData mirrors data() in testdata/botocore_put.py.
func botoData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((i*7 + 3) % 256)
	}
	return b
}

// pythonWithBoto3 finds the first python on PATH and checks it has boto3.
func pythonWithBoto3(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"python", "python3"} {
		if p, err := exec.LookPath(name); err == nil {
			if exec.Command(p, "-c", "import boto3").Run() == nil {
				return p
			}
			t.Skipf("%s has no boto3", p)
		}
	}
	t.Skip("no python on PATH")
	return ""
}

// caBundle writes the test server's certificate for clients to trust.
func caBundle(t *testing.T, srv *verifyServer) string {
	t.Helper()
	if srv.TLS == nil {
		return ""
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBotocore(t *testing.T) {
	python := pythonWithBoto3(t)
	for _, tt := range []struct {
		name        string
		tls         bool
		wantPayload string // of the uploads
	}{
		{"http signs the payload", false, "digest"},
		{"https sends an unsigned trailer", true, StreamingUnsignedPayloadTrailer},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVerifyServer(t, testVerifier(), "s3", tt.tls)
			const size = 200<<10 + 3
			cmd := exec.Command(python, filepath.Join("testdata", "botocore_put.py"))
			cmd.Env = append(os.Environ(), "ENDPOINT="+srv.URL, "CA_BUNDLE="+caBundle(t, srv),
				"ACCESS_KEY="+testAccessKey, "SECRET_KEY="+testSecret, "REGION="+testRegion,
				"SIZE="+strconv.Itoa(size), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("botocore: %v\n%s", err, stderr.String())
			}
			checkBotoUploads(t, srv, botoData(size), tt.wantPayload)
			presigned := strings.TrimSpace(string(out))
			req, err := http.NewRequest(http.MethodGet, presigned, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			c := srv.last(t)
			c.ok(t)
			if !c.auth.Presigned {
				t.Fatalf("presigned GET not seen as presigned: %+v", c.auth)
			}
		})
	}
}

func checkBotoUploads(t *testing.T, srv *verifyServer, data []byte, wantPayload string) {
	t.Helper()
	puts, lists := 0, 0
	for _, c := range srv.all() {
		c.ok(t)
		switch c.method {
		case http.MethodPut:
			puts++
			if !bytes.Equal(c.body, data) {
				t.Fatalf("PUT %s: decoded %d bytes, sent %d", c.path, len(c.body), len(data))
			}
			if wantPayload == "digest" {
				if c.auth.PayloadSHA256 != sha256Hex(data) {
					t.Fatalf("PUT %s: PayloadSHA256 = %q", c.path, c.auth.PayloadSHA256)
				}
				continue
			}
			if c.payloadHeader != wantPayload {
				t.Fatalf("PUT %s: x-amz-content-sha256 = %q", c.path, c.payloadHeader)
			}
			if len(c.trailers) != 1 {
				t.Fatalf("PUT %s: trailers = %v", c.path, c.trailers)
			}
			for name, v := range c.trailers {
				if want := expectedChecksum(name, data); v != want {
					t.Fatalf("PUT %s: trailer %s = %q, want %q", c.path, name, v, want)
				}
			}
		case http.MethodGet:
			lists++
		}
	}
	if puts != 3 || lists != 1 {
		t.Fatalf("server saw %d PUTs and %d GETs, want 3 and 1", puts, lists)
	}
}

// The aws CLI v1 is botocore underneath; run it too when it is installed.
func TestAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("no aws CLI on PATH")
	}
	for _, useTLS := range []bool{false, true} {
		t.Run("tls="+strconv.FormatBool(useTLS), func(t *testing.T) {
			srv := newVerifyServer(t, testVerifier(), "s3", useTLS)
			data := botoData(70<<10 + 1)
			file := filepath.Join(t.TempDir(), "upload file.bin")
			if err := os.WriteFile(file, data, 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"--endpoint-url", srv.URL, "--region", testRegion, "s3", "cp", file, "s3://bucket/cli dir/ü+1.bin"}
			if useTLS {
				args = append([]string{"--ca-bundle", caBundle(t, srv)}, args...)
			}
			cmd := exec.Command(aws, args...)
			cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecret,
				"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("aws s3 cp: %v\n%s", err, out)
			}
			c := srv.last(t)
			c.ok(t)
			if !bytes.Equal(c.body, data) {
				t.Fatalf("decoded %d bytes, sent %d", len(c.body), len(data))
			}
			for name, v := range c.trailers {
				if want := expectedChecksum(name, data); v != want {
					t.Fatalf("trailer %s = %q, want %q", name, v, want)
				}
			}
		})
	}
}
