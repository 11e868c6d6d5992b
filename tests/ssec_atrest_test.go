package tests

import (
	"bytes"
	"testing"
)

// assertNoCustomerKeys stops s and searches every file under its data dir
// (records, object data, audit trail, TLS material) and everything it
// printed (stdout, stderr) for the customer keys and their MD5s, raw, hex,
// base64 and URL-escaped: the server must forget the key and keep only a
// salted keyed hash (issue 4). Call it at the end of an SSE-C test, with
// every key the test sent; wantLog is a string the logs must contain, to
// show they record the requests at all.
func assertNoCustomerKeys(t *testing.T, s *server, wantLog string, keys ...ssecKey) {
	t.Helper()
	s.stop() // flush everything and release the files
	var needles [][]byte
	for _, k := range keys {
		needles = append(needles, k.forms()...)
	}
	found := func(data []byte) bool {
		for _, needle := range needles {
			if bytes.Contains(data, needle) {
				return true
			}
		}
		return false
	}
	scanned, leaks := scanFiles(t, s.dataDir, "customer key material found", found)
	if scanned < 4 {
		t.Fatalf("scanned only %d files: the data dir is not what this test expects", scanned)
	}
	logs := s.logs.String() + s.stdout.String()
	if found([]byte(logs)) {
		leaks++
		t.Errorf("customer key material found in the server's output")
	}
	if !bytes.Contains([]byte(logs), []byte(wantLog)) {
		t.Errorf("the server's output does not mention %q: it does not log the requests this scan relies on (%d bytes)", wantLog, len(logs))
	}
	if leaks == 0 {
		t.Logf("scanned %d files and %d bytes of logs for %d keys: no key material", scanned, len(logs), len(keys))
	}
}
