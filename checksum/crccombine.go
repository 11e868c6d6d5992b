package checksum

// crcField is arithmetic modulo the generator polynomial P of a reflected
// CRC whose initial value and final XOR are all ones (CRC-32, CRC-32C and
// CRC-64/NVME all are). Polynomials are held reflected, like the CRC
// register: the top bit is the coefficient of x^0, bit 0 that of x^(w-1).
//
// For such CRCs, with raw(M) = (~0*x^(8|M|) + M*x^w) mod P the register
// before the final XOR and crc(M) = raw(M) + ~0:
//
//	raw(A||B) = x^(8|B|)*raw(A) + B*x^w,  and  B*x^w = raw(B) + ~0*x^(8|B|),
//	so raw(A||B) = x^(8|B|)*(raw(A) + ~0) + raw(B) = x^(8|B|)*crc(A) + raw(B)
//	and crc(A||B) = crc(A)*x^(8|B|) + crc(B).
type crcField struct {
	width    uint
	reversed uint64 // P without its x^w term, bit-reversed
}

var (
	crc32Field     = crcField{width: 32, reversed: 0xedb88320}         // 0x04c11db7 reversed
	crc32cField    = crcField{width: 32, reversed: 0x82f63b78}         // 0x1edc6f41 reversed
	crc64nvmeField = crcField{width: 64, reversed: 0x9a6c9329ac4bc9b5} // 0xad93d23594c93659 reversed
)

// one is the polynomial 1 (x^0).
func (f crcField) one() uint64 { return 1 << (f.width - 1) }

// timesX multiplies a by x: in reflected form a shift right, reducing by P
// when the x^(w-1) coefficient (bit 0) moves out.
func (f crcField) timesX(a uint64) uint64 {
	if a&1 != 0 {
		return a>>1 ^ f.reversed
	}
	return a >> 1
}

// mul is a*b mod P: b*x^i is added for every x^i present in a.
func (f crcField) mul(a, b uint64) uint64 {
	var product uint64
	for bit := f.one(); bit != 0 && a != 0; bit >>= 1 {
		if a&bit != 0 {
			product ^= b
			a &^= bit
		}
		b = f.timesX(b)
	}
	return product
}

// xPow8n is x^(8n) mod P, by square and multiply.
func (f crcField) xPow8n(n uint64) uint64 {
	result := f.one()
	power := f.one()
	for range 8 {
		power = f.timesX(power)
	}
	for ; n != 0; n >>= 1 {
		if n&1 != 0 {
			result = f.mul(result, power)
		}
		power = f.mul(power, power)
	}
	return result
}

// combine returns crc(A||B) given crc(A), crc(B) and len(B).
func (f crcField) combine(crcA, crcB uint64, lenB uint64) uint64 {
	return f.mul(crcA, f.xPow8n(lenB)) ^ crcB
}
