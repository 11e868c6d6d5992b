package audit

import (
	"bytes"
	"encoding/hex"
	"errors"
	"hash"
	"strconv"
)

// A record line is the record's JSON object with the chain spliced in as
// its last member (FORMAT.md):
//
//	body = {"eventVersion":...,"seq":N}
//	line = body without its final "}" + ,"chain":"<64 hex>"} + "\n"
//	chain(N) = HMAC-SHA256(recordKey, chain(N-1) || body), chain(0) = 32 zero bytes
//
// The MAC covers the exact bytes written, so verification never depends on
// re-encoding JSON the same way.
const (
	chainMember = `,"chain":"`
	seqMember   = `,"seq":`
	chainTail   = len(chainMember) + 2*chainSize + len(`"}`)
	chainSize   = 32
	// maxLineBytes bounds one line (newline excluded); records are kept
	// well below it (maxRecordBytes), so a longer line is damage.
	maxLineBytes = 64 << 10
)

// chain is one link of the HMAC chain.
type chain [chainSize]byte

// genesis is the chain value before the first record.
var genesis chain

var errNotRecord = errors.New("not a record line")

// sealRecord appends the line of record seq to dst: partial is the
// record's JSON object without seq. It returns the extended dst and the
// record's chain.
func sealRecord(dst []byte, mac hash.Hash, prev chain, partial []byte, seq uint64) ([]byte, chain) {
	start := len(dst)
	dst = append(dst, partial[:len(partial)-1]...)
	dst = append(dst, seqMember...)
	dst = strconv.AppendUint(dst, seq, 10)
	next := chainOf(mac, prev, dst[start:])
	dst = append(dst, chainMember...)
	dst = hex.AppendEncode(dst, next[:])
	return append(dst, `"}`+"\n"...), next
}

// chainOf is HMAC(prev || bodyPrefix || "}"): bodyPrefix is the body
// without its closing brace, as it sits in the line.
func chainOf(mac hash.Hash, prev chain, bodyPrefix []byte) chain {
	mac.Reset()
	mac.Write(prev[:])
	mac.Write(bodyPrefix)
	mac.Write([]byte{'}'})
	var c chain
	mac.Sum(c[:0])
	return c
}

// recordLine is a parsed line: its seq and chain, and the body without its
// closing brace (a sub-slice of the line).
type recordLine struct {
	seq        uint64
	chain      chain
	bodyPrefix []byte
}

// parseLine splits a line (without its newline) into body, seq and chain.
// It checks the framing only; the MAC is the caller's business.
func parseLine(line []byte) (recordLine, error) {
	n := len(line)
	if n > maxLineBytes || n < chainTail+len(`{"seq":1`) || line[0] != '{' {
		return recordLine{}, errNotRecord
	}
	tail := line[n-chainTail:]
	if !bytes.HasPrefix(tail, []byte(chainMember)) || !bytes.HasSuffix(tail, []byte(`"}`)) {
		return recordLine{}, errNotRecord
	}
	var rec recordLine
	digits := tail[len(chainMember) : len(chainMember)+2*chainSize]
	if !isLowerHex(digits) {
		return recordLine{}, errNotRecord
	}
	hex.Decode(rec.chain[:], digits)
	rec.bodyPrefix = line[:n-chainTail]
	seq, ok := trailingSeq(rec.bodyPrefix)
	if !ok {
		return recordLine{}, errNotRecord
	}
	rec.seq = seq
	return rec, nil
}

// trailingSeq reads the ,"seq":N member that ends a body prefix. Inside a
// JSON string every quote is escaped, so the last unescaped ,"seq": that
// runs to the end can only be the member itself.
func trailingSeq(bodyPrefix []byte) (uint64, bool) {
	i := bytes.LastIndex(bodyPrefix, []byte(seqMember))
	if i < 0 {
		return 0, false
	}
	digits := bodyPrefix[i+len(seqMember):]
	if len(digits) == 0 || len(digits) > 20 || digits[0] == '0' {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	seq, err := strconv.ParseUint(string(digits), 10, 64)
	return seq, err == nil
}

func isLowerHex(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
