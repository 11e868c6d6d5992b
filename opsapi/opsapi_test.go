package opsapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/cofferlabs/coffer/sigv4"
	"github.com/prometheus/client_golang/prometheus"
)

type fakeKeys struct {
	rotations int
	progress  [][2]int // the (done, total) pairs Rewrap and RewrapBucket report
	rewrapErr error

	// RewrapBucket answers bucketResult and rewrapErr, and records what
	// it was asked and the context it was asked in.
	bucketResult BucketRewrapResult
	bucketCalls  []BucketRewrap
	bucketCtx    context.Context
	masterCalls  int
}

func (f *fakeKeys) RotateMasterKey(context.Context) (uint32, error) {
	f.rotations++
	return uint32(f.rotations + 1), nil
}

func (f *fakeKeys) Rewrap(_ context.Context, progress func(done, total int)) error {
	f.masterCalls++
	for _, p := range f.progress {
		progress(p[0], p[1])
	}
	return f.rewrapErr
}

func (f *fakeKeys) RewrapBucket(ctx context.Context, req BucketRewrap, progress func(done, total int)) (BucketRewrapResult, error) {
	f.bucketCalls = append(f.bucketCalls, req)
	f.bucketCtx = ctx
	for _, p := range f.progress {
		progress(p[0], p[1])
	}
	return f.bucketResult, f.rewrapErr
}

const (
	testAccount = "123456789012"
	rootAK      = "ROOTKEY"
	rootSK      = "root-secret-key"
	userAK      = "USERKEY"
	userSK      = "user-secret-key"
)

func newTestServer(t *testing.T, keys *fakeKeys) (*Server, *httptest.Server) {
	t.Helper()
	verifier := &sigv4.Verifier{Secret: func(ak string) (string, bool) {
		switch ak {
		case rootAK:
			return rootSK, true
		case userAK:
			return userSK, true
		}
		return "", false
	}}
	ops := New(Config{Gatherer: prometheus.NewRegistry(), Verifier: verifier, RootKeyID: rootAK, AccountID: testAccount, Keys: keys,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(ops)
	t.Cleanup(srv.Close)
	return ops, srv
}

func TestHealth(t *testing.T) {
	ops, srv := newTestServer(t, &fakeKeys{})
	status := func(path string) int {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("/_coffer/health/live"); got != http.StatusOK {
		t.Fatalf("live = %d", got)
	}
	if got := status("/_coffer/health/ready"); got != http.StatusServiceUnavailable {
		t.Fatalf("ready before SetReady = %d", got)
	}
	ops.SetReady(true)
	if got := status("/_coffer/health/ready"); got != http.StatusOK {
		t.Fatalf("ready = %d", got)
	}
	if got := status("/_coffer/metrics"); got != http.StatusOK {
		t.Fatalf("metrics = %d", got)
	}
}

func signedPost(t *testing.T, url, ak, sk string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, nil)
	const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	req.Header.Set("X-Amz-Content-Sha256", emptyHash)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk},
		req, emptyHash, SigningService, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestAdminAuthorization(t *testing.T) {
	keys := &fakeKeys{}
	_, srv := newTestServer(t, keys)
	rotate := srv.URL + "/_coffer/admin/v1/rotate-master-key"
	cases := []struct {
		name   string
		do     func() *http.Response
		status int
	}{
		{name: "anonymous", do: func() *http.Response {
			resp, err := http.Post(rotate, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}, status: http.StatusForbidden},
		{name: "wrong secret", do: func() *http.Response { return signedPost(t, rotate, rootAK, "nope") }, status: http.StatusForbidden},
		{name: "not root", do: func() *http.Response { return signedPost(t, rotate, userAK, userSK) }, status: http.StatusForbidden},
		{name: "root", do: func() *http.Response { return signedPost(t, rotate, rootAK, rootSK) }, status: http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.do()
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if strings.Contains(string(body), rootSK) {
				t.Fatal("a secret reached the response")
			}
		})
	}
	if keys.rotations != 1 {
		t.Fatalf("rotations = %d, want 1 (only the root request)", keys.rotations)
	}
}

func TestRewrapStreamsProgress(t *testing.T) {
	steady := [][2]int{{0, 3}, {1, 3}, {2, 3}, {3, 3}}
	cases := []struct {
		name     string
		progress [][2]int
		err      error
		want     []rewrapLine
	}{
		{name: "finishes", progress: steady, want: []rewrapLine{
			{Done: 0, Total: 3}, {Done: 1, Total: 3}, {Done: 2, Total: 3}, {Done: 3, Total: 3},
			{Done: 3, Total: 3, Finished: true},
		}},
		{name: "fails midway", progress: steady[:2], err: errors.New("disk on fire"), want: []rewrapLine{
			{Done: 0, Total: 3}, {Done: 1, Total: 3},
			{Done: 1, Total: 3, Error: "rewrap failed; run it again to resume"},
		}},
		{name: "nothing to do", progress: [][2]int{{0, 0}}, want: []rewrapLine{
			{Done: 0, Total: 0}, {Done: 0, Total: 0, Finished: true},
		}},
		{name: "fails before counting", err: errors.New("disk on fire"), want: []rewrapLine{
			{Error: "rewrap failed; run it again to resume"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newTestServer(t, &fakeKeys{progress: tc.progress, rewrapErr: tc.err})
			resp := signedPost(t, srv.URL+"/_coffer/admin/v1/rewrap", rootAK, rootSK)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), "disk on fire") {
				t.Fatalf("the internal error reached the client:\n%s", body)
			}
			var got []rewrapLine
			for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
				var l rewrapLine
				if err := json.Unmarshal([]byte(line), &l); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if !strings.Contains(line, `"total":`) {
					t.Fatalf("line %q carries no total", line)
				}
				got = append(got, l)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("lines %+v, want %+v", got, tc.want)
			}
		})
	}
}
