// CRC-32 (IEEE 802.3, the x-amz-checksum-crc32 of S3), for the small
// documents S3 wants an integrity header on. WebCrypto has no MD5 and no
// CRC, and SHA-256 there needs a secure context; this works everywhere.

const table = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  table[n] = c >>> 0;
}

// crc32 is the checksum of bytes (a Uint8Array).
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// crc32Base64 is the checksum as S3's header carries it: the four bytes,
// big-endian, in base64.
export function crc32Base64(textOrBytes) {
  const bytes = typeof textOrBytes === 'string' ? new TextEncoder().encode(textOrBytes) : textOrBytes;
  const v = crc32(bytes);
  return btoa(String.fromCharCode((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
}
