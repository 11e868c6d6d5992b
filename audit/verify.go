package audit

import (
	"encoding/hex"
	"fmt"
	"os"
)

// Report is what Verify found.
type Report struct {
	Segments int
	// Records is how many records verified, from seq 1 to LastSeq.
	Records uint64
	LastSeq uint64
	// LastChain is the chain of record LastSeq in hex. Kept somewhere the
	// disk's attacker cannot reach, it lets a later Verify prove the trail
	// was not rolled back to an earlier state (see the package doc).
	LastChain string
	// HeadSeq is the seq the head file vouches for.
	HeadSeq uint64
	// Recoveries counts the crash recoveries recorded in the trail.
	Recoveries int
	// UnsyncedTailBytes are bytes after the last good record that the
	// head never vouched for: a write in progress, or what a crash tore.
	// They are not damage; the next Open discards them and records that.
	UnsyncedTailBytes int64
	// Damage is the first damage found, nil when the trail is intact.
	Damage *Damage
}

// Verify checks the trail in dir against key: every record's chain, seq
// continuity from 1, segment names, and the head file. It only reads, so it
// can run while a server appends to the trail (it stops at the last
// complete line). Damage is returned both in the report and as the error
// (a *Damage, matching ErrDamaged); other errors are I/O failures.
func Verify(dir string, key []byte) (Report, error) {
	keys, err := deriveKeys(key)
	if err != nil {
		return Report{}, err
	}
	if _, err := os.Stat(dir); err != nil {
		return Report{}, err
	}
	// The head first: records only grow after it, so a head read before the
	// segments never names a record the scan cannot reach.
	h, state, err := readHead(dir, keys.head)
	if err != nil {
		return Report{}, err
	}
	segs, err := listSegments(dir)
	if err != nil {
		return Report{}, err
	}
	w := newWalker(keys.record, 1, genesis, h, state == headValid)
	res, err := w.walk(segs)
	if err != nil {
		return Report{}, err
	}
	report := Report{Segments: len(segs), Records: w.records, LastSeq: w.next - 1, Recoveries: w.recoveries}
	if w.records > 0 {
		report.LastChain = hex.EncodeToString(w.prev[:])
	}
	if state == headValid {
		report.HeadSeq = h.seq
	}
	if res.tail != nil {
		report.UnsyncedTailBytes = res.tail.bytes
	}
	report.Damage = res.damage
	if report.Damage == nil {
		report.Damage = headDamage(h, state, w, res)
	}
	if report.Damage != nil {
		return report, report.Damage
	}
	return report, nil
}

// headDamage checks the head against an intact sequence of records.
func headDamage(h head, state headState, w *walker, res walkResult) *Damage {
	switch {
	case state == headMissing:
		return &Damage{Kind: DamageHeadMissing, File: headFile, Seq: w.next - 1, Detail: "no head file: records may have been cut from the end"}
	case state == headForged:
		return &Damage{Kind: DamageHeadInvalid, File: headFile, Seq: w.next - 1, Detail: "the head file does not verify under this key"}
	case w.next-1 < h.seq:
		file := res.lastFile
		if file == "" {
			file = headFile
		}
		return &Damage{Kind: DamageTruncated, File: file, Line: res.lastLine + 1, Seq: w.next,
			Detail: fmt.Sprintf("the head vouches for %d records but the trail ends at seq %d", h.seq, w.next-1)}
	}
	return nil
}
