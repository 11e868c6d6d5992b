package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// The head file names the last record written and its chain, under a MAC,
// so that dropping records from the end of the trail is detectable:
//
//	coffer-audit-head v1\n
//	seq <decimal>\n
//	chain <64 hex>\n
//	mac <64 hex>\n
//
// mac = HMAC-SHA256(headKey, "coffer-audit-head v1" || 0x00 || uint64be(seq) || chain).
const (
	headFile   = "HEAD"
	headMagic  = "coffer-audit-head v1"
	headTmpPat = ".HEAD.tmp*"
)

type head struct {
	seq   uint64
	chain chain
}

// headState is what reading the head found.
type headState int

const (
	headValid   headState = iota
	headMissing           // no head file
	headForged            // present but malformed or its MAC does not verify
)

func headMAC(key []byte, h head) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(headMagic))
	m.Write([]byte{0})
	m.Write(binary.BigEndian.AppendUint64(nil, h.seq))
	m.Write(h.chain[:])
	return m.Sum(nil)
}

func encodeHead(key []byte, h head) []byte {
	return fmt.Appendf(nil, "%s\nseq %d\nchain %x\nmac %x\n", headMagic, h.seq, h.chain[:], headMAC(key, h))
}

func parseHead(key, data []byte) (head, bool) {
	lines := bytes.Split(data, []byte("\n"))
	if len(lines) != 5 || string(lines[0]) != headMagic || len(lines[4]) != 0 {
		return head{}, false
	}
	seqText, ok1 := bytes.CutPrefix(lines[1], []byte("seq "))
	chainText, ok2 := bytes.CutPrefix(lines[2], []byte("chain "))
	macText, ok3 := bytes.CutPrefix(lines[3], []byte("mac "))
	if !ok1 || !ok2 || !ok3 || len(chainText) != 2*chainSize || len(macText) != 2*sha256.Size ||
		!isLowerHex(chainText) || !isLowerHex(macText) {
		return head{}, false
	}
	seq, err := strconv.ParseUint(string(seqText), 10, 64)
	if err != nil || strconv.FormatUint(seq, 10) != string(seqText) {
		return head{}, false
	}
	h := head{seq: seq}
	hex.Decode(h.chain[:], chainText)
	mac, _ := hex.DecodeString(string(macText))
	return h, hmac.Equal(mac, headMAC(key, h))
}

// readHead reads and authenticates dir's head file. Only I/O failures
// other than absence are errors.
func readHead(dir string, key []byte) (head, headState, error) {
	data, err := os.ReadFile(filepath.Join(dir, headFile))
	if errors.Is(err, os.ErrNotExist) {
		return head{}, headMissing, nil
	}
	if err != nil {
		return head{}, 0, err
	}
	h, ok := parseHead(key, data)
	if !ok {
		return head{}, headForged, nil
	}
	return h, headValid, nil
}

// writeHead replaces the head file via a synced temporary file and a
// rename, so a crash leaves the old head or the new one, never a torn one.
// The directory is not synced: a head that a crash rolls back still names
// a record that was synced before it, which is all Verify needs.
func writeHead(dir string, key []byte, h head) error {
	tmp, err := os.CreateTemp(dir, ".HEAD.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(encodeHead(key, h)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, headFile))
}

// removeHeadTemps deletes temporary head files a crash left behind.
func removeHeadTemps(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, headTmpPat))
	for _, name := range names {
		os.Remove(name)
	}
}
