package cse

import "encoding/binary"

// fieldElement is an element of GF(2^128) in the bit order GCM uses (NIST
// SP 800-38D §6.3): a 16-byte block read big-endian into hi (bytes 0-7) and
// lo (bytes 8-15), where the most significant bit of hi is the coefficient
// of x^0 and the least significant bit of lo that of x^127. The field
// polynomial is x^128 + x^7 + x^2 + x + 1.
type fieldElement struct{ hi, lo uint64 }

// gcmReduction is R = 11100001 || 0^120 of SP 800-38D, as the hi word.
const gcmReduction = 0xe1 << 56

func loadElement(b []byte) fieldElement {
	return fieldElement{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:16])}
}

func (x fieldElement) put(b []byte) {
	binary.BigEndian.PutUint64(b[:8], x.hi)
	binary.BigEndian.PutUint64(b[8:16], x.lo)
}

func (x fieldElement) add(y fieldElement) fieldElement {
	return fieldElement{hi: x.hi ^ y.hi, lo: x.lo ^ y.lo}
}

// mul returns x·y (SP 800-38D Algorithm 1). It runs in time independent of
// both operands: every bit of x is used as a mask, never as a branch, and
// the reduction is masked the same way. It is slow (128 rounds of shifts)
// and is called a few times per 64 KiB of data only; the bulk GHASH work is
// done by the standard library's accelerated GCM.
func mul(x, y fieldElement) fieldElement {
	var z fieldElement
	v := y
	for i := 63; i >= 0; i-- {
		m := -((x.hi >> uint(i)) & 1)
		z.hi ^= v.hi & m
		z.lo ^= v.lo & m
		v = shiftRight(v)
	}
	for i := 63; i >= 0; i-- {
		m := -((x.lo >> uint(i)) & 1)
		z.hi ^= v.hi & m
		z.lo ^= v.lo & m
		v = shiftRight(v)
	}
	return z
}

// shiftRight multiplies v by x: a right shift in GCM's bit order, folding
// the x^128 term back with R when the x^127 coefficient was set.
func shiftRight(v fieldElement) fieldElement {
	carry := -(v.lo & 1)
	return fieldElement{
		hi: v.hi>>1 ^ gcmReduction&carry,
		lo: v.lo>>1 | v.hi<<63,
	}
}

// powerTable holds h^(2^k) for k = 0, 1, ..., grown as needed, so that
// h^n costs one multiplication per set bit of n.
type powerTable struct{ squares []fieldElement }

func newPowerTable(h fieldElement) *powerTable {
	return &powerTable{squares: []fieldElement{h}}
}

// pow returns h^n for n >= 1. n is public (a block count); the sequence of
// multiplications depends on n only, never on h.
func (t *powerTable) pow(n uint64) fieldElement {
	var acc fieldElement
	first := true
	for k := 0; n != 0; k, n = k+1, n>>1 {
		for len(t.squares) <= k {
			last := t.squares[len(t.squares)-1]
			t.squares = append(t.squares, mul(last, last))
		}
		if n&1 == 0 {
			continue
		}
		if first {
			acc, first = t.squares[k], false
		} else {
			acc = mul(acc, t.squares[k])
		}
	}
	return acc
}
