package s3api

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

var deleteDocCases = []struct {
	name  string
	doc   string
	keys  []string
	quiet bool
	code  errorCode
}{
	{name: "two keys", doc: `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key>b/c</Key><VersionId>null</VersionId></Object></Delete>`, keys: []string{"a", "b/c"}},
	{name: "quiet", doc: `<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>`, keys: []string{"a"}, quiet: true},
	{name: "escaped key", doc: `<Delete><Object><Key>a&amp;b&#x9;</Key></Object></Delete>`, keys: []string{"a&b\t"}},
	{name: "no objects", doc: `<Delete></Delete>`, code: codeMalformedXML},
	{name: "wrong root", doc: `<Remove><Object><Key>a</Key></Object></Remove>`, code: codeMalformedXML},
	{name: "not xml", doc: `{"Delete":[]}`, code: codeMalformedXML},
	{name: "truncated", doc: `<Delete><Object><Key>a</Key>`, code: codeMalformedXML},
	{name: "bad quiet", doc: `<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object></Delete>`, code: codeMalformedXML},
	{name: "too many", doc: "<Delete>" + strings.Repeat("<Object><Key>k</Key></Object>", 1001) + "</Delete>", code: codeMalformedXML},
}

func TestParseDeleteRequest(t *testing.T) {
	for _, tc := range deleteDocCases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parseDeleteRequest([]byte(tc.doc))
			if tc.code != "" {
				var api *apiError
				if !errors.As(err, &api) || api.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, o := range doc.Objects {
				keys = append(keys, o.Key)
			}
			if fmt.Sprint(keys) != fmt.Sprint(tc.keys) || doc.Quiet != tc.quiet {
				t.Errorf("got %q quiet=%v", keys, doc.Quiet)
			}
		})
	}
}

func FuzzParseDeleteRequest(f *testing.F) {
	for _, tc := range deleteDocCases {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, err := parseDeleteRequest(doc)
		if err != nil {
			var api *apiError
			if !errors.As(err, &api) || api.Code != codeMalformedXML {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(got.Objects) == 0 || len(got.Objects) > maxDeleteKeys {
			t.Fatalf("accepted %d objects", len(got.Objects))
		}
	})
}

var completeDocCases = []struct {
	name  string
	doc   string
	parts []coffer.CompletePart
	code  errorCode
}{
	{name: "two parts", doc: `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"aa"</ETag><PartNumber>1</PartNumber></Part><Part><ETag>bb</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`,
		parts: []coffer.CompletePart{{Number: 1, ETag: "aa"}, {Number: 2, ETag: "bb"}}},
	{name: "checksum", doc: `<CompleteMultipartUpload><Part><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ETag>&quot;aa&quot;</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`,
		parts: []coffer.CompletePart{{Number: 1, ETag: "aa", Checksum: "AAAAAA=="}}},
	{name: "out of order kept for the Service to judge", doc: `<CompleteMultipartUpload><Part><ETag>b</ETag><PartNumber>2</PartNumber></Part><Part><ETag>a</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`,
		parts: []coffer.CompletePart{{Number: 2, ETag: "b"}, {Number: 1, ETag: "a"}}},
	{name: "empty", doc: `<CompleteMultipartUpload></CompleteMultipartUpload>`, code: codeMalformedXML},
	{name: "no body", doc: ``, code: codeMalformedXML},
	{name: "bad number", doc: `<CompleteMultipartUpload><Part><ETag>a</ETag><PartNumber>one</PartNumber></Part></CompleteMultipartUpload>`, code: codeMalformedXML},
	{name: "number out of range", doc: `<CompleteMultipartUpload><Part><ETag>a</ETag><PartNumber>10001</PartNumber></Part></CompleteMultipartUpload>`, code: codeInvalidArgument},
	{name: "two checksums", doc: `<CompleteMultipartUpload><Part><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumSHA1>x</ChecksumSHA1><ETag>a</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`, code: codeMalformedXML},
	{name: "wrong root", doc: `<Complete><Part><ETag>a</ETag><PartNumber>1</PartNumber></Part></Complete>`, code: codeMalformedXML},
}

func TestParseCompleteRequest(t *testing.T) {
	for _, tc := range completeDocCases {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := parseCompleteRequest([]byte(tc.doc))
			if tc.code != "" {
				var api *apiError
				if !errors.As(err, &api) || api.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(parts) != fmt.Sprint(tc.parts) {
				t.Errorf("got %+v, want %+v", parts, tc.parts)
			}
		})
	}
}

func FuzzParseCompleteRequest(f *testing.F) {
	for _, tc := range completeDocCases {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		parts, err := parseCompleteRequest(doc)
		if err != nil {
			var api *apiError
			if !errors.As(err, &api) || errorCodes[api.Code].Status != 400 {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(parts) == 0 || len(parts) > coffer.MaxPartNumber {
			t.Fatalf("accepted %d parts", len(parts))
		}
		for _, p := range parts {
			if p.Number < 1 || p.Number > coffer.MaxPartNumber {
				t.Fatalf("accepted part number %d", p.Number)
			}
		}
	})
}
