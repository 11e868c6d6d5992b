package sigv4

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Frozen known answers for SigV2 from the S3 documentation, "Signing and
// authenticating REST requests" (RESTAuthentication), section
// "Authentication examples" and "Query string request authentication".
// Never regenerate these.
//
// The published signatures were computed for the bucket "johnsmith"; the
// page has since renamed it awsexamplebucket1 in the text but kept the
// signatures, so the requests here use johnsmith, as the page originally
// did. The current page's Delete example prints a string to sign that
// contradicts its own x-amz-date rule (its signature matches the misprint);
// the 2007 edition of the page, with the credentials 0PN5J17HBGZHT7JJ3X82 /
// uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o, follows the rule, so its
// examples are frozen as well.

const (
	example2007AccessKey = "0PN5J17HBGZHT7JJ3X82"
	example2007Secret    = "uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o"
)

// exampleDomain is the virtual-hosted base domain of the examples.
const exampleDomain = "s3.amazonaws.com"

type v2Vector struct {
	name       string
	method     string
	target     string
	host       string
	headers    []header
	now        time.Time
	wantString string // the documented string to sign
}

func docDate(s string) time.Time {
	t, err := time.Parse(time.RFC1123Z, s)
	if err != nil {
		panic(err)
	}
	return t
}

// v2Examples are the documented requests; both editions sign the same ones.
var v2Examples = []v2Vector{
	{
		name: "Object GET", method: "GET", target: "/photos/puppy.jpg", host: "johnsmith.s3.amazonaws.com",
		headers:    []header{{"Date", "Tue, 27 Mar 2007 19:36:42 +0000"}},
		now:        docDate("Tue, 27 Mar 2007 19:36:42 +0000"),
		wantString: "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg",
	},
	{
		name: "Object PUT", method: "PUT", target: "/photos/puppy.jpg", host: "johnsmith.s3.amazonaws.com",
		headers:    []header{{"Content-Type", "image/jpeg"}, {"Date", "Tue, 27 Mar 2007 21:15:45 +0000"}},
		now:        docDate("Tue, 27 Mar 2007 21:15:45 +0000"),
		wantString: "PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n/johnsmith/photos/puppy.jpg",
	},
	{
		name: "List", method: "GET", target: "/?prefix=photos&max-keys=50&marker=puppy", host: "johnsmith.s3.amazonaws.com",
		headers:    []header{{"User-Agent", "Mozilla/5.0"}, {"Date", "Tue, 27 Mar 2007 19:42:41 +0000"}},
		now:        docDate("Tue, 27 Mar 2007 19:42:41 +0000"),
		wantString: "GET\n\n\nTue, 27 Mar 2007 19:42:41 +0000\n/johnsmith/",
	},
	{
		name: "Fetch", method: "GET", target: "/?acl", host: "johnsmith.s3.amazonaws.com",
		headers:    []header{{"Date", "Tue, 27 Mar 2007 19:44:46 +0000"}},
		now:        docDate("Tue, 27 Mar 2007 19:44:46 +0000"),
		wantString: "GET\n\n\nTue, 27 Mar 2007 19:44:46 +0000\n/johnsmith/?acl",
	},
	{
		name: "Delete", method: "DELETE", target: "/johnsmith/photos/puppy.jpg", host: "s3.amazonaws.com",
		headers: []header{
			{"User-Agent", "dotnet"}, {"Date", "Tue, 27 Mar 2007 21:20:27 +0000"},
			{"x-amz-date", "Tue, 27 Mar 2007 21:20:26 +0000"},
		},
		now:        docDate("Tue, 27 Mar 2007 21:20:26 +0000"),
		wantString: "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/johnsmith/photos/puppy.jpg",
	},
	{
		// The page sends this one CNAME-style (Host: static.johnsmith.net:8080).
		// Coffer has no CNAME addressing, so it goes path-style: the string
		// to sign, and so the signature, are the same.
		name: "Upload", method: "PUT", target: "/static.johnsmith.net/db-backup.dat.gz", host: "s3.amazonaws.com",
		headers: []header{
			{"User-Agent", "curl/7.15.5"}, {"Date", "Tue, 27 Mar 2007 21:06:08 +0000"},
			{"x-amz-acl", "public-read"}, {"content-type", "application/x-download"},
			{"Content-MD5", "4gJE4saaMU4BqNR0kLY+lw=="},
			{"X-Amz-Meta-ReviewedBy", "joe@johnsmith.net"}, {"X-Amz-Meta-ReviewedBy", "jane@johnsmith.net"},
			{"X-Amz-Meta-FileChecksum", "0x02661779"}, {"X-Amz-Meta-ChecksumAlgorithm", "crc32"},
			{"Content-Disposition", "attachment; filename=database.dat"}, {"Content-Encoding", "gzip"},
		},
		now: docDate("Tue, 27 Mar 2007 21:06:08 +0000"),
		wantString: "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\nTue, 27 Mar 2007 21:06:08 +0000\n" +
			"x-amz-acl:public-read\nx-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n" +
			"x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n/static.johnsmith.net/db-backup.dat.gz",
	},
	{
		name: "List all my buckets", method: "GET", target: "/", host: "s3.amazonaws.com",
		headers:    []header{{"Date", "Wed, 28 Mar 2007 01:29:59 +0000"}},
		now:        docDate("Wed, 28 Mar 2007 01:29:59 +0000"),
		wantString: "GET\n\n\nWed, 28 Mar 2007 01:29:59 +0000\n/",
	},
	{
		name: "Unicode keys", method: "GET", target: "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re", host: "s3.amazonaws.com",
		headers:    []header{{"Date", "Wed, 28 Mar 2007 01:49:49 +0000"}},
		now:        docDate("Wed, 28 Mar 2007 01:49:49 +0000"),
		wantString: "GET\n\n\nWed, 28 Mar 2007 01:49:49 +0000\n/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
	},
}

// The published signatures, by example name, for each edition's credentials.
var (
	currentSignatures = map[string]string{
		"Object GET":          "bWq2s1WEIj+Ydj0vQ697zp+IXMU=",
		"Object PUT":          "MyyxeRY7whkBe+bq8fHCL/2kKUg=",
		"List":                "htDYFYduRNen8P9ZfE/s9SuKy0U=",
		"Fetch":               "c2WLPFtWHVgbEmeEG93a4cG37dM=",
		"Upload":              "ilyl83RwaSoYIEdixDQcA4OnAnc=",
		"List all my buckets": "qGdzdERIC03wnaRNKh6OqZehG9s=",
		"Unicode keys":        "DNEZGsoieTZ92F3bUfSPQcbGmlM=",
	}
	signatures2007 = map[string]string{
		"Object GET":          "xXjDGYUmKxnwqr5KXNPGldn5LbA=",
		"Object PUT":          "hcicpDDvL9SsO6AkvxqmIWkmOuQ=",
		"List":                "jsRt/rhG+Vtp88HrYL706QhE4w4=",
		"Fetch":               "thdUi9VAkzhkniLj96JIrOPGi0g=",
		"Delete":              "k3nL7gH3+PadhTEVn5Ip83xlYzk=",
		"Upload":              "C0FlOtU8Ylb9KDTpZqYkZPX91iI=",
		"List all my buckets": "Db+gepJSUbZKwpx1FR0DLtEYoZA=",
		"Unicode keys":        "dxhSBHoI6eVSPcXJqEghlUzZMnY=",
	}
)

// v2Example returns the documented request of that name.
func v2Example(name string) v2Vector {
	for _, vec := range v2Examples {
		if vec.name == name {
			return vec
		}
	}
	panic("no SigV2 example " + name)
}

// v2VerifierAt knows one key pair, the examples' base domain and a clock.
func v2VerifierAt(accessKey, secret string, now time.Time) *Verifier {
	return &Verifier{
		Secret:  func(ak string) (string, bool) { return secret, ak == accessKey },
		Now:     func() time.Time { return now },
		Domains: []string{exampleDomain},
	}
}

func (vec v2Vector) request(accessKey, signature string) *http.Request {
	r := newRequest(vec.method, vec.target, vec.host, vec.headers, "")
	r.Header.Set("Authorization", "AWS "+accessKey+":"+signature)
	return r
}

func TestSigV2DocumentedHeaderSignatures(t *testing.T) {
	editions := []struct {
		name, accessKey, secret string
		signatures              map[string]string
	}{
		{"current", exampleAccessKey, exampleSecret, currentSignatures},
		{"2007", example2007AccessKey, example2007Secret, signatures2007},
	}
	for _, ed := range editions {
		for _, vec := range v2Examples {
			sig, ok := ed.signatures[vec.name]
			if !ok {
				continue
			}
			t.Run(ed.name+"/"+vec.name, func(t *testing.T) {
				r := vec.request(ed.accessKey, sig)
				path, rawQuery := requestTarget(r)
				_, dateLine, err := v2RequestTime(r)
				if err != nil {
					t.Fatal(err)
				}
				if got := newV2Request(r, v2HeaderForm, dateLine, path, parseQuery(rawQuery), []string{exampleDomain}).stringToSign(); got != vec.wantString {
					t.Fatalf("string to sign\n%q\nwant\n%q", got, vec.wantString)
				}
				a, err := v2VerifierAt(ed.accessKey, ed.secret, vec.now).Verify(r, "s3")
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if a.AccessKey != ed.accessKey || a.SignatureVersion != SignatureV2 || a.Presigned || a.Anonymous || a.PayloadSHA256 != "" {
					t.Fatalf("Auth = %+v", a)
				}
			})
		}
	}
}

// The query-string example: GET /photos/puppy.jpg on johnsmith, expiring
// at 1175139620 (2007-03-29T03:40:20Z).
const (
	documentedQueryTarget  = "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620"
	documentedQueryHost    = "johnsmith.s3.amazonaws.com"
	documentedQueryString  = "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"
	documentedQueryExpires = 1175139620
)

func TestSigV2DocumentedQuerySignature(t *testing.T) {
	expiry := time.Unix(documentedQueryExpires, 0)
	tests := []struct {
		name    string
		now     time.Time
		wantErr error
	}{
		{"a day before", expiry.Add(-24 * time.Hour), nil},
		{"the last second", expiry, nil},
		{"one second late", expiry.Add(time.Second), ErrRequestExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest("GET", documentedQueryTarget, documentedQueryHost, nil, "")
			// No skew check on query-string auth: a stale Date is fine.
			r.Header.Set("Date", "Mon, 26 Mar 2007 19:37:58 +0000")
			a, err := v2VerifierAt(exampleAccessKey, exampleSecret, tt.now).Verify(r, "s3")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (!a.Presigned || a.SignatureVersion != SignatureV2 || a.AccessKey != exampleAccessKey) {
				t.Fatalf("Auth = %+v", a)
			}
		})
	}
	r := newRequest("GET", documentedQueryTarget, documentedQueryHost, nil, "")
	path, rawQuery := requestTarget(r)
	if got := newV2Request(r, v2QueryForm, "1175139620", path, parseQuery(rawQuery), []string{exampleDomain}).stringToSign(); got != documentedQueryString {
		t.Fatalf("string to sign %q, want %q", got, documentedQueryString)
	}
}

// A SignatureDoesNotMatch carries the documented string to sign back to
// the client, as S3's error document does.
func TestSigV2SignatureErrorCarriesStringToSign(t *testing.T) {
	vec := v2Example("Object GET")
	r := vec.request(exampleAccessKey, strings.Replace(currentSignatures[vec.name], "b", "c", 1))
	_, err := v2VerifierAt(exampleAccessKey, exampleSecret, vec.now).Verify(r, "s3")
	var se *SignatureError
	if !errors.As(err, &se) || !errors.Is(err, ErrSignatureDoesNotMatch) {
		t.Fatalf("Verify error = %v, want a SignatureError", err)
	}
	if se.StringToSign != vec.wantString || se.AccessKey != exampleAccessKey || se.SignatureProvided != "cWq2s1WEIj+Ydj0vQ697zp+IXMU=" {
		t.Fatalf("SignatureError = %+v", se)
	}
}
