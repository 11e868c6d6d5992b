package sse

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cofferlabs/coffer"
)

func TestBuckets(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		tests := []struct {
			name    string
			bucket  string
			wantErr error
		}{
			{"new bucket", "another-bucket", nil},
			{"existing bucket", testBucket, coffer.ErrBucketExists},
			{"invalid name", "Bad_Name", coffer.ErrInvalidBucketName},
			{"reserved prefix", "_coffer", coffer.ErrInvalidBucketName},
			{"too short", "ab", coffer.ErrInvalidBucketName},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if err := e.svc.CreateBucket(e.ctx, tc.bucket); !errors.Is(err, tc.wantErr) {
					t.Fatalf("CreateBucket(%q) = %v, want %v", tc.bucket, err, tc.wantErr)
				}
			})
		}
		info, err := e.svc.HeadBucket(e.ctx, testBucket)
		if err != nil || info.Name != testBucket || info.Region != "eu-test-1" || !info.Created.Equal(e.clock.Now()) {
			t.Fatalf("HeadBucket = %+v, %v", info, err)
		}
		if _, err := e.svc.HeadBucket(e.ctx, "no-such-bucket"); !errors.Is(err, coffer.ErrNoSuchBucket) {
			t.Fatalf("HeadBucket of a missing bucket: %v", err)
		}
		all, err := e.svc.ListBuckets(e.ctx)
		if err != nil || len(all) != 2 || all[0].Name != "another-bucket" || all[1].Name != testBucket || all[1].Region != "eu-test-1" {
			t.Fatalf("ListBuckets = %+v, %v", all, err)
		}
		if err := e.svc.DeleteBucket(e.ctx, "another-bucket"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteBucket(e.ctx, "another-bucket"); !errors.Is(err, coffer.ErrNoSuchBucket) {
			t.Fatalf("deleting a deleted bucket: %v", err)
		}
	})
}

func TestDeleteBucketWhileNotEmpty(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("k", []byte("x"))
		up, _ := e.svc.CreateMultipartUpload(e.ctx, testBucket, "u", coffer.UploadOptions{})
		steps := []struct {
			name    string
			do      func() error
			wantErr error
		}{
			{"with an object and an upload", func() error { return nil }, coffer.ErrBucketNotEmpty},
			{"with an upload", func() error { return e.svc.DeleteObject(e.ctx, testBucket, "k") }, coffer.ErrBucketNotEmpty},
			{"empty", func() error { return e.svc.AbortMultipartUpload(e.ctx, testBucket, "u", up.UploadID) }, nil},
		}
		for _, st := range steps {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if err := e.svc.DeleteBucket(e.ctx, testBucket); !errors.Is(err, st.wantErr) {
				t.Fatalf("%s: DeleteBucket = %v, want %v", st.name, err, st.wantErr)
			}
		}
	})
}

func TestDeleteObject(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		e.put("k", []byte("x"))
		tests := []struct {
			name    string
			bucket  string
			key     string
			wantErr error
		}{
			{"existing", testBucket, "k", nil},
			{"again", testBucket, "k", nil},
			{"never existed", testBucket, "never", nil},
			{"missing bucket", "no-such-bucket", "k", coffer.ErrNoSuchBucket},
			{"empty key", testBucket, "", coffer.ErrInvalidObjectName},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if err := e.svc.DeleteObject(e.ctx, tc.bucket, tc.key); !errors.Is(err, tc.wantErr) {
					t.Fatalf("DeleteObject = %v, want %v", err, tc.wantErr)
				}
			})
		}
		if _, _, err := e.read("k", coffer.GetOptions{}); !errors.Is(err, coffer.ErrNoSuchKey) {
			t.Fatalf("deleted object reads: %v", err)
		}
	})
}

func TestListObjects(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		for _, k := range []string{"a", "b/1", "b/2", "c/x/1", "d"} {
			e.put(k, []byte(k))
		}
		e.multipartUpload("e", coffer.UploadOptions{}, []byte("mp"))
		tests := []struct {
			name          string
			q             coffer.ListQuery
			wantKeys      string
			wantPrefixes  string
			wantTruncated bool
			wantNext      string // checked on truncated pages
		}{
			{"all", coffer.ListQuery{}, "[a b/1 b/2 c/x/1 d e]", "[]", false, ""},
			{"delimiter", coffer.ListQuery{Delimiter: "/"}, "[a d e]", "[b/ c/]", false, ""},
			{"prefix", coffer.ListQuery{Prefix: "b/"}, "[b/1 b/2]", "[]", false, ""},
			{"first page", coffer.ListQuery{Limit: 2}, "[a b/1]", "[]", true, "b/1"},
			{"after", coffer.ListQuery{After: "b/1", Limit: 2}, "[b/2 c/x/1]", "[]", true, "c/x/1"},
			{"page with a prefix", coffer.ListQuery{Delimiter: "/", Limit: 2}, "[a]", "[b/]", true, "b/"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				page, err := e.svc.ListObjects(e.ctx, testBucket, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, o := range page.Objects {
					keys = append(keys, o.Key)
					if o.ETag == "" || o.Encryption.Type != coffer.SSES3 || o.Parts != nil {
						t.Fatalf("listed %+v", o)
					}
				}
				if fmt.Sprint(orEmpty(keys)) != tc.wantKeys ||
					fmt.Sprint(orEmpty(page.CommonPrefixes)) != tc.wantPrefixes || page.Truncated != tc.wantTruncated || (page.Truncated && page.NextAfter != tc.wantNext) {
					t.Fatalf("page = %v %v truncated %v next %q", keys, page.CommonPrefixes, page.Truncated, page.NextAfter)
				}
			})
		}
		page, _ := e.svc.ListObjects(e.ctx, testBucket, coffer.ListQuery{Prefix: "e"})
		if len(page.Objects) != 1 || page.Objects[0].PartsCount != 1 || page.Objects[0].Size != 2 {
			t.Fatalf("multipart object listed as %+v", page.Objects)
		}
		if _, err := e.svc.ListObjects(e.ctx, "no-such-bucket", coffer.ListQuery{}); !errors.Is(err, coffer.ErrNoSuchBucket) {
			t.Fatalf("listing a missing bucket: %v", err)
		}
	})
}

func TestListMultipartUploads(t *testing.T) {
	e := newEnv(t, backends[0])
	ids := map[string]string{}
	for _, k := range []string{"a", "b/1", "b/2", "c", "c", "d/x"} {
		e.clock.Advance(1)
		up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, k, coffer.UploadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		name := k
		if _, ok := ids[k]; ok {
			name = k + "#2"
		}
		ids[name] = up.UploadID
	}
	names := map[string]string{}
	for n, id := range ids {
		names[id] = n
	}
	tests := []struct {
		name          string
		q             coffer.UploadQuery
		want          string // uploads by name, then common prefixes
		wantTruncated bool
		wantNextKey   string
		wantNextID    string
	}{
		{"all", coffer.UploadQuery{}, "[a b/1 b/2 c c#2 d/x] []", false, "d/x", ids["d/x"]},
		{"prefix", coffer.UploadQuery{Prefix: "b/"}, "[b/1 b/2] []", false, "b/2", ids["b/2"]},
		{"delimiter", coffer.UploadQuery{Delimiter: "/"}, "[a c c#2] [b/ d/]", false, "d/", ""},
		{"limit", coffer.UploadQuery{Limit: 3}, "[a b/1 b/2] []", true, "b/2", ids["b/2"]},
		{"limit with prefixes", coffer.UploadQuery{Delimiter: "/", Limit: 2}, "[a] [b/]", true, "b/", ""},
		{"key marker", coffer.UploadQuery{KeyMarker: "b/2"}, "[c c#2 d/x] []", false, "d/x", ids["d/x"]},
		{"key marker at a prefix", coffer.UploadQuery{KeyMarker: "b/", Delimiter: "/"}, "[c c#2] [d/]", false, "d/", ""},
		{"upload ID marker", coffer.UploadQuery{KeyMarker: "c", UploadIDMarker: ids["c"]}, "[c#2 d/x] []", false, "d/x", ids["d/x"]},
		{"upload ID marker of the last upload of a key", coffer.UploadQuery{KeyMarker: "c", UploadIDMarker: ids["c#2"]}, "[d/x] []", false, "d/x", ids["d/x"]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := e.svc.ListMultipartUploads(e.ctx, testBucket, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range page.Uploads {
				got = append(got, names[u.UploadID])
			}
			if s := fmt.Sprint(orEmpty(got), " ", orEmpty(page.CommonPrefixes)); s != tc.want {
				t.Fatalf("page = %s, want %s", s, tc.want)
			}
			if page.Truncated != tc.wantTruncated || page.NextKeyMarker != tc.wantNextKey || page.NextUploadIDMarker != tc.wantNextID {
				t.Fatalf("truncated %v next %q/%q", page.Truncated, page.NextKeyMarker, page.NextUploadIDMarker)
			}
		})
	}
	if _, err := e.svc.ListMultipartUploads(e.ctx, "no-such-bucket", coffer.UploadQuery{}); !errors.Is(err, coffer.ErrNoSuchBucket) {
		t.Fatalf("missing bucket: %v", err)
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
