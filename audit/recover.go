package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/cofferlabs/coffer"
)

// The event Open records when it discards a torn tail.
const (
	RecoveryEventSource = "cloudtrail.amazonaws.com"
	RecoveryEventName   = "AuditLogRecovered"
)

// trailState is where appending resumes.
type trailState struct {
	next      uint64
	prev      chain
	last      *segment // the segment to append to; nil when there is none
	size      int64    // its size
	recovered *tail    // the tail Open discarded, if any
	headSeq   uint64   // what the head names: behind next-1 after a crash
}

// resumeTrail checks the end of the trail in dir, from the segment holding
// the record the head names, discards an unsynced tail, and says where
// appending resumes. Damage anywhere it looks is an error: appending to a
// trail that does not verify would hide what happened to it. Earlier
// segments are Verify's business.
func resumeTrail(dir string, k keys) (trailState, error) {
	h, state, err := readHead(dir, k.head)
	if err != nil {
		return trailState{}, err
	}
	segs, err := listSegments(dir)
	if err != nil {
		return trailState{}, err
	}
	if len(segs) == 0 {
		return resumeEmpty(dir, k, h, state)
	}
	if state != headValid {
		return trailState{}, headDamage(h, state, &walker{next: 1}, walkResult{})
	}
	from := segmentHolding(segs, max(h.seq, 1))
	next, prev := uint64(1), genesis
	if from > 0 {
		if next, prev, err = endOf(segs[from-1], segs[from].first); err != nil {
			return trailState{}, err
		}
	}
	w := newWalker(k.record, next, prev, h, true)
	res, err := w.walk(segs[from:])
	if err != nil {
		return trailState{}, err
	}
	if res.damage == nil {
		res.damage = headDamage(h, state, w, res)
	}
	if res.damage != nil {
		return trailState{}, res.damage
	}
	last := segs[len(segs)-1]
	st := trailState{next: w.next, prev: w.prev, last: &last, recovered: res.tail, headSeq: h.seq}
	if res.tail != nil {
		if err := truncateSynced(last.path, res.tail.offset); err != nil {
			return trailState{}, err
		}
	}
	info, err := os.Stat(last.path)
	if err != nil {
		return trailState{}, err
	}
	st.size = info.Size()
	return st, nil
}

func resumeEmpty(dir string, k keys, h head, state headState) (trailState, error) {
	fresh := trailState{next: 1, prev: genesis}
	switch {
	case state == headMissing:
		// A new trail: its head exists before any record does.
		return fresh, writeHead(dir, k.head, head{})
	case state == headValid && h.seq == 0:
		return fresh, nil
	case state == headValid:
		return trailState{}, &Damage{Kind: DamageTruncated, File: headFile, Seq: 1,
			Detail: fmt.Sprintf("the head vouches for %d records but there are no segment files", h.seq)}
	}
	return trailState{}, headDamage(h, state, &walker{next: 1}, walkResult{})
}

// segmentHolding is the index of the last segment whose first seq is at
// most seq (0 when none is).
func segmentHolding(segs []segment, seq uint64) int {
	i := 0
	for j, s := range segs {
		if s.first <= seq {
			i = j
		}
	}
	return i
}

// endOf reads the last record of seg, which must be seq next-1.
func endOf(seg segment, next uint64) (uint64, chain, error) {
	line, ok, err := lastLine(seg.path)
	if err != nil {
		return 0, chain{}, err
	}
	rec, perr := parseLine(line)
	if !ok || perr != nil {
		return 0, chain{}, &Damage{Kind: DamageEdited, File: seg.name, Seq: next - 1, Detail: "the segment's last line is not a record"}
	}
	if rec.seq != next-1 {
		return 0, chain{}, &Damage{Kind: DamageDeleted, File: seg.name, Seq: next - 1,
			Detail: fmt.Sprintf("the segment ends with seq %d but the next one starts at %d", rec.seq, next)}
	}
	return next, rec.chain, nil
}

func truncateSynced(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

// recoveryEvent describes a discarded tail.
func recoveryEvent(t *tail, now time.Time) coffer.AuditEvent {
	return coffer.AuditEvent{
		Time:        now,
		EventSource: RecoveryEventSource,
		EventName:   RecoveryEventName,
		Details: map[string]string{
			"segment":        t.segment.name,
			"truncatedAt":    strconv.FormatInt(t.offset, 10),
			"discardedBytes": strconv.FormatInt(t.bytes, 10),
			"reason":         "an incomplete or unverifiable tail after the last record the head vouched for, as a crash leaves",
		},
	}
}

// isRecovery reports whether a record line is a recovery event.
func isRecovery(line []byte) bool {
	if !bytes.Contains(line, []byte(`"eventName":"`+RecoveryEventName+`"`)) {
		return false
	}
	var r struct {
		EventName   string `json:"eventName"`
		EventSource string `json:"eventSource"`
	}
	return json.Unmarshal(line, &r) == nil && r.EventName == RecoveryEventName && r.EventSource == RecoveryEventSource
}
