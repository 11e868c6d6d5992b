package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer/opsapi"
)

func TestParseAdminArgs(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		rekey *bucketRekey // for valid rewrap command lines
		err   string       // part of the error; "" when valid
	}{
		{name: "rotate", args: []string{"rotate-master-key"}},
		{name: "master rewrap", args: []string{"rewrap", "--endpoint", "https://127.0.0.1:9443"}},
		{name: "bucket rewrap", args: []string{"rewrap", "--bucket", "photos", "--kms-key-id", "alias/archive"},
			rekey: &bucketRekey{bucket: "photos", kmsKeyID: "alias/archive"}},
		{name: "bucket rewrap on a bucket key", args: []string{"rewrap", "--bucket=photos", "--kms-key-id=arn:aws:kms:us-east-1:123456789012:key/k1", "--bucket-key"},
			rekey: &bucketRekey{bucket: "photos", kmsKeyID: "arn:aws:kms:us-east-1:123456789012:key/k1", bucketKey: true}},
		{name: "bucket key off said aloud", args: []string{"rewrap", "--bucket", "photos", "--kms-key-id", "k1", "--bucket-key=false"},
			rekey: &bucketRekey{bucket: "photos", kmsKeyID: "k1"}},
		{name: "no subcommand", args: nil, err: "needs a subcommand"},
		{name: "unknown subcommand", args: []string{"rewrap-all"}, err: "unknown admin subcommand"},
		{name: "bucket without key", args: []string{"rewrap", "--bucket", "photos"}, err: "go together"},
		{name: "key without bucket", args: []string{"rewrap", "--kms-key-id", "k1"}, err: "go together"},
		{name: "bucket key alone", args: []string{"rewrap", "--bucket-key"}, err: "go together"},
		{name: "empty key", args: []string{"rewrap", "--bucket", "photos", "--kms-key-id", ""}, err: "go together"},
		{name: "bucket flags on rotate", args: []string{"rotate-master-key", "--bucket", "photos"}, err: "flag provided but not defined"},
		{name: "stray argument", args: []string{"rewrap", "photos"}, err: "takes no arguments"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd, err := parseAdminArgs(tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cmd.rekey, tc.rekey) {
				t.Fatalf("rekey %+v, want %+v", cmd.rekey, tc.rekey)
			}
		})
	}
	if _, err := parseAdminArgs([]string{"rewrap", "-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h = %v, want flag.ErrHelp", err)
	}
}

// cannedAdmin answers every request with status and body, recording the
// request line it got.
func cannedAdmin(t *testing.T, status int, body string) (*signedClient, *string) {
	t.Helper()
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Method + " " + r.URL.RequestURI()
		if r.Header.Get("Authorization") == "" {
			t.Error("unsigned admin request")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return newSignedClient(srv.URL, "us-east-1", opsapi.SigningService, rootCredentials{"AK", "SK"}, 1), &got
}

func TestAdminRewrapBucket(t *testing.T) {
	const arn = "arn:aws:kms:us-east-1:123456789012:key/k1"
	progress := `{"done":0,"total":2}` + "\n" + `{"done":1,"total":2}` + "\n"
	cases := []struct {
		name      string
		rekey     bucketRekey
		status    int
		body      string
		wantURI   string
		wantOut   []string // in the output
		wantErr   []string // in the error; none when it succeeds
		noResumes bool     // the error must not offer to resume
	}{
		{name: "finishes", rekey: bucketRekey{bucket: "photos", kmsKeyID: "alias/archive"}, status: 200,
			body:    progress + `{"done":2,"total":2}` + "\n" + `{"done":2,"total":2,"finished":true,"summary":{"keyArn":"` + arn + `","rewrapped":1,"current":1,"changed":0,"failed":0}}` + "\n",
			wantURI: "POST /_coffer/admin/v1/rewrap?bucket=photos&kms-key-id=alias%2Farchive",
			wantOut: []string{"re-keyed 2 objects", "1 objects re-keyed under " + arn, "1 already were"}},
		{name: "finishes on a bucket key with failures", rekey: bucketRekey{bucket: "photos", kmsKeyID: "k1", bucketKey: true}, status: 200,
			body:    progress + `{"done":2,"total":2,"finished":true,"summary":{"keyArn":"` + arn + `","rewrapped":1,"failed":1,"firstFailure":{"key":"cat.jpg","code":"KMS.DisabledException","message":"old key is disabled."}}}` + "\n",
			wantURI: "POST /_coffer/admin/v1/rewrap?bucket=photos&bucket-key=true&kms-key-id=k1",
			wantErr: []string{"1 objects could not be re-keyed", "cat.jpg: KMS.DisabledException: old key is disabled.", "run the same command again"}},
		{name: "stopped by the KMS", rekey: bucketRekey{bucket: "photos", kmsKeyID: "k1", bucketKey: true}, status: 200,
			body:    progress + `{"done":1,"total":2,"error":"` + arn + ` is disabled.","code":"KMS.DisabledException"}` + "\n",
			wantURI: "POST /_coffer/admin/v1/rewrap?bucket=photos&bucket-key=true&kms-key-id=k1",
			wantErr: []string{"stopped after 1 of 2 objects", "KMS.DisabledException: " + arn + " is disabled.",
				"To resume, run the same command again", "coffer admin rewrap --bucket photos --kms-key-id k1 --bucket-key"}},
		{name: "cut off", rekey: bucketRekey{bucket: "photos", kmsKeyID: "k1"}, status: 200, body: progress,
			wantURI: "POST /_coffer/admin/v1/rewrap?bucket=photos&kms-key-id=k1",
			wantErr: []string{"interrupted", "the server stopped before the rewrap finished", "coffer admin rewrap --bucket photos --kms-key-id k1"}},
		{name: "no such bucket", rekey: bucketRekey{bucket: "nope", kmsKeyID: "k1"}, status: 404,
			body:    `{"error":"NoSuchBucket","message":"The specified bucket does not exist"}`,
			wantURI: "POST /_coffer/admin/v1/rewrap?bucket=nope&kms-key-id=k1",
			wantErr: []string{"rewrap of bucket nope refused (404 Not Found): NoSuchBucket: The specified bucket does not exist"}, noResumes: true},
		{name: "unknown key", rekey: bucketRekey{bucket: "photos", kmsKeyID: "alias/none"}, status: 400,
			body:    `{"error":"KMS.NotFoundException","message":"Alias alias/none is not found."}`,
			wantURI: "POST /_coffer/admin/v1/rewrap?bucket=photos&kms-key-id=alias%2Fnone",
			wantErr: []string{"(400 Bad Request): KMS.NotFoundException: Alias alias/none is not found."}, noResumes: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client, got := cannedAdmin(t, tc.status, tc.body)
			var out bytes.Buffer
			err := adminRewrapBucket(context.Background(), client, &out, tc.rekey)
			if *got != tc.wantURI {
				t.Fatalf("request %q, want %q", *got, tc.wantURI)
			}
			for _, want := range tc.wantOut {
				if !strings.Contains(out.String(), want) {
					t.Fatalf("output %q lacks %q", out.String(), want)
				}
			}
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("error %q lacks %q", err, want)
				}
			}
			if tc.noResumes && strings.Contains(err.Error(), "resume") {
				t.Fatalf("a refused request offers to resume: %v", err)
			}
		})
	}
}

// TestAdminRewrapMasterKey: without --bucket the command keeps its
// meaning: POST rewrap with no parameters, records re-wrapped.
func TestAdminRewrapMasterKey(t *testing.T) {
	client, got := cannedAdmin(t, 200, `{"done":0,"total":1}`+"\n"+`{"done":1,"total":1}`+"\n"+`{"done":1,"total":1,"finished":true}`+"\n")
	var out bytes.Buffer
	if err := adminRewrap(context.Background(), client, &out); err != nil {
		t.Fatal(err)
	}
	if *got != "POST /_coffer/admin/v1/rewrap" || !strings.Contains(out.String(), "re-wrapped 1 records") {
		t.Fatalf("request %q, output %q", *got, out.String())
	}
}
