package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"
)

// Frozen vectors, computed independently from FORMAT.md (Python hmac):
// key = bytes 0..31, two records chained from the genesis value.
const (
	vectorLine1 = `{"eventName":"GenerateDataKey","seq":1,"chain":"588b7c7db071556669a8610aa73190cc9d411fc2d1aa778f70da1e2c5ed3f22d"}` + "\n"
	vectorLine2 = `{"eventName":"Decrypt","readOnly":true,"seq":2,"chain":"a1843ecfc0f75fc230afef724c4a1d7e183607fd9ee3fde5374633257c67b05c"}` + "\n"
	vectorHead  = "coffer-audit-head v1\nseq 2\nchain a1843ecfc0f75fc230afef724c4a1d7e183607fd9ee3fde5374633257c67b05c\n" +
		"mac 251decc9c7e5c5bbea2d5853fd88fbc4a1c55b2e986dd215b84fcf3e2e9466cb\n"
)

func TestSealVector(t *testing.T) {
	k, err := deriveKeys(testKey())
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, k.record)
	line1, c1 := sealRecord(nil, mac, genesis, []byte(`{"eventName":"GenerateDataKey"}`), 1)
	line2, c2 := sealRecord(nil, mac, c1, []byte(`{"eventName":"Decrypt","readOnly":true}`), 2)
	if string(line1) != vectorLine1 || string(line2) != vectorLine2 {
		t.Fatalf("sealed\n%s%swant\n%s%s", line1, line2, vectorLine1, vectorLine2)
	}
	if got := string(encodeHead(k.head, head{seq: 2, chain: c2})); got != vectorHead {
		t.Fatalf("head\n%swant\n%s", got, vectorHead)
	}
	h, ok := parseHead(k.head, []byte(vectorHead))
	if !ok || h.seq != 2 || h.chain != c2 {
		t.Fatalf("parseHead(vector) = %v, %v", h, ok)
	}
}

func TestParseLine(t *testing.T) {
	valid := strings.TrimSuffix(vectorLine1, "\n")
	hexChain := "588b7c7db071556669a8610aa73190cc9d411fc2d1aa778f70da1e2c5ed3f22d"
	cases := []struct {
		name    string
		line    string
		wantSeq uint64
		ok      bool
	}{
		{name: "vector", line: valid, wantSeq: 1, ok: true},
		{name: "large seq", line: `{"a":1,"seq":18446744073709551615,"chain":"` + hexChain + `"}`, wantSeq: 1<<64 - 1, ok: true},
		{name: "seq in a string earlier", line: `{"x":"\",\"seq\":9","seq":3,"chain":"` + hexChain + `"}`, wantSeq: 3, ok: true},
		{name: "empty", line: ""},
		{name: "no brace", line: `"eventName":"X","seq":1,"chain":"` + hexChain + `"}`},
		{name: "upper-case chain", line: `{"seq":1,"chain":"` + strings.ToUpper(hexChain) + `"}`},
		{name: "short chain", line: `{"seq":1,"chain":"` + hexChain[2:] + `"}`},
		{name: "no seq", line: `{"eventName":"X","chain":"` + hexChain + `"}`},
		{name: "seq zero", line: `{"a":1,"seq":0,"chain":"` + hexChain + `"}`},
		{name: "leading zero", line: `{"a":1,"seq":01,"chain":"` + hexChain + `"}`},
		{name: "seq overflow", line: `{"a":1,"seq":18446744073709551616,"chain":"` + hexChain + `"}`},
		{name: "seq not last", line: `{"seq":1,"a":2,"chain":"` + hexChain + `"}`},
		{name: "trailing garbage", line: valid + "x"},
		{name: "too long", line: `{"a":"` + strings.Repeat("x", maxLineBytes) + `","seq":1,"chain":"` + hexChain + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := parseLine([]byte(tc.line))
			if (err == nil) != tc.ok {
				t.Fatalf("parseLine err = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && rec.seq != tc.wantSeq {
				t.Fatalf("seq = %d, want %d", rec.seq, tc.wantSeq)
			}
		})
	}
}
