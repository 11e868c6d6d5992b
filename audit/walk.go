package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash"
	"os"
)

// walker checks records in order: each line must be a record, carry the
// next seq, and chain from the one before. Verify walks the whole trail;
// Open walks from the segment holding the head to the end.
type walker struct {
	mac    hash.Hash
	next   uint64 // seq the next record must have
	prev   chain  // chain of the record before it
	head   head
	headOK bool // tail tolerance and the head check need a valid head

	records    uint64
	recoveries int
}

// walkResult is the walk's outcome: damage, or the trail's end and any
// unsynced tail (bytes past the head that a crash, or a write in
// progress, left after the last good record).
type walkResult struct {
	damage   *Damage
	tail     *tail
	lastFile string
	lastLine int // lines read in lastFile
}

type tail struct {
	segment segment
	offset  int64 // where the last good record ends
	bytes   int64 // bytes from offset to the end of the file
}

func newWalker(recordKey []byte, next uint64, prev chain, h head, headOK bool) *walker {
	return &walker{mac: hmac.New(sha256.New, recordKey), next: next, prev: prev, head: h, headOK: headOK}
}

// walk checks segs in order; the last of them may hold an unsynced tail.
func (w *walker) walk(segs []segment) (walkResult, error) {
	var res walkResult
	for i := range segs {
		done, err := w.walkSegment(segs, i, &res)
		if err != nil || done {
			return res, err
		}
	}
	return res, nil
}

func (w *walker) walkSegment(segs []segment, i int, res *walkResult) (done bool, err error) {
	seg := segs[i]
	f, err := os.Open(seg.path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	res.lastFile, res.lastLine = seg.name, 0
	lines := newForwardLines(f)
	first := true
	for {
		line, offset, number, fits, ok := lines.next()
		if !ok {
			break
		}
		res.lastLine = number
		if problem, kind := w.check(line, fits, seg, first); problem != "" {
			return true, w.fail(segs, i, lines, offset, number, kind, problem, res)
		}
		first = false
	}
	if lines.err != nil {
		return false, lines.err
	}
	if lines.tail > 0 {
		return true, w.fail(segs, i, lines, lines.offset, lines.number, DamageTruncated, "the last line is cut short", res)
	}
	return false, nil
}

// check returns what is wrong with one line, or "".
func (w *walker) check(line []byte, fits bool, seg segment, first bool) (string, DamageKind) {
	if !fits {
		return fmt.Sprintf("line longer than %d bytes", maxLineBytes), DamageEdited
	}
	rec, err := parseLine(line)
	if err != nil {
		return "not a record line", DamageEdited
	}
	if rec.seq < w.next {
		return fmt.Sprintf("found seq %d after seq %d", rec.seq, w.next-1), DamageReordered
	}
	if rec.seq > w.next {
		return fmt.Sprintf("found seq %d", rec.seq), seqDamage
	}
	if chainOf(w.mac, w.prev, rec.bodyPrefix) != rec.chain {
		if rec.seq == 1 && !w.headOK {
			return "neither the first record nor the head verifies under this key", DamageWrongKey
		}
		return "the record's chain does not verify: its bytes were changed", DamageEdited
	}
	if first && rec.seq != seg.first {
		return fmt.Sprintf("the segment is named for seq %d but starts with seq %d", seg.first, rec.seq), DamageReordered
	}
	if w.headOK && rec.seq == w.head.seq && rec.chain != w.head.chain {
		return "the head file names a chain this record does not have", DamageHeadInvalid
	}
	if isRecovery(line) {
		w.recoveries++
	}
	w.prev, w.next = rec.chain, w.next+1
	w.records++
	return "", 0
}

// seqDamage is a placeholder kind: fail tells deletion from reordering.
const seqDamage DamageKind = -1

// fail turns a problem into damage, or into an unsynced tail when it lies
// past the head in the last segment: records the head never vouched for
// are what a crash may tear, and Open discards them.
func (w *walker) fail(segs []segment, i int, lines *forwardLines, offset int64, number int, kind DamageKind, problem string, res *walkResult) error {
	seg := segs[i]
	if w.headOK && w.next > w.head.seq && i == len(segs)-1 {
		info, err := os.Stat(seg.path)
		if err != nil {
			return err
		}
		res.tail = &tail{segment: seg, offset: offset, bytes: info.Size() - offset}
		return nil
	}
	if kind == seqDamage {
		var err error
		if kind, err = w.classifySeq(segs[i+1:], lines); err != nil {
			return err
		}
	}
	res.damage = &Damage{Kind: kind, File: seg.name, Line: number, Seq: w.next, Detail: problem}
	return nil
}

// classifySeq decides, when a later seq stands where w.next should be,
// whether w.next appears further on (reordered) or nowhere (deleted). It
// reads on from lines, then the later segments, one line at a time.
func (w *walker) classifySeq(later []segment, lines *forwardLines) (DamageKind, error) {
	found := func(lines *forwardLines) bool {
		for {
			line, _, _, fits, ok := lines.next()
			if !ok {
				return false
			}
			if !fits {
				continue
			}
			if rec, err := parseLine(line); err == nil && rec.seq == w.next {
				return true
			}
		}
	}
	if found(lines) {
		return DamageReordered, nil
	}
	for _, seg := range later {
		f, err := os.Open(seg.path)
		if err != nil {
			return 0, err
		}
		hit := found(newForwardLines(f))
		f.Close()
		if hit {
			return DamageReordered, nil
		}
	}
	return DamageDeleted, nil
}
