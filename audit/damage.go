package audit

import (
	"errors"
	"fmt"
)

// ErrDamaged is what every *Damage matches with errors.Is.
var ErrDamaged = errors.New("audit: the trail is damaged")

// DamageKind says how a trail was altered.
type DamageKind int

// Kinds of damage, as Verify tells them apart.
const (
	// DamageEdited: a record's bytes changed (its chain no longer
	// verifies), or a line is not a record at all.
	DamageEdited DamageKind = iota + 1
	// DamageDeleted: records are missing from the middle or the start
	// (a seq is skipped and never appears).
	DamageDeleted
	// DamageReordered: records are out of order (a skipped seq appears
	// later, or a seq repeats or goes back).
	DamageReordered
	// DamageTruncated: records the head file vouches for are gone from
	// the end.
	DamageTruncated
	// DamageHeadMissing: the head file is gone, so truncation could not
	// be ruled out.
	DamageHeadMissing
	// DamageHeadInvalid: the head file does not verify under the key, or
	// names a chain no record has.
	DamageHeadInvalid
	// DamageWrongKey: neither the first record nor the head verify: the
	// key is not the one the trail was written with, or the whole trail
	// was replaced by one made with another key.
	DamageWrongKey
)

var damageNames = map[DamageKind]string{
	DamageEdited:      "edited",
	DamageDeleted:     "deleted",
	DamageReordered:   "reordered",
	DamageTruncated:   "truncated",
	DamageHeadMissing: "head missing",
	DamageHeadInvalid: "head invalid",
	DamageWrongKey:    "wrong key or replaced trail",
}

func (k DamageKind) String() string {
	if name, ok := damageNames[k]; ok {
		return name
	}
	return fmt.Sprintf("DamageKind(%d)", int(k))
}

// Damage is the first place where a trail fails verification.
type Damage struct {
	Kind   DamageKind
	File   string // segment or head file, relative to the audit dir
	Line   int    // 1-based line in File; 0 for the head file
	Seq    uint64 // the seq the trail should have there
	Detail string
}

func (d *Damage) Error() string {
	where := d.File
	if d.Line > 0 {
		where = fmt.Sprintf("%s line %d", d.File, d.Line)
	}
	return fmt.Sprintf("audit: trail %s at %s (seq %d): %s", d.Kind, where, d.Seq, d.Detail)
}

// Is makes errors.Is(d, ErrDamaged) hold.
func (d *Damage) Is(target error) bool { return target == ErrDamaged }
