// How encryption settings read on every page.

// describeDefault names a bucket's default encryption: "SSE-S3",
// "SSE-KMS (alias/x)" or "SSE-KMS (aws/s3)".
export function describeDefault(enc, names) {
  if (enc.algorithm === 'AES256') return 'SSE-S3';
  const kind = enc.algorithm === 'aws:kms:dsse' ? 'DSSE-KMS' : 'SSE-KMS';
  return kind + ' (' + (enc.kmsKeyId ? names.name(enc.kmsKeyId) : 'aws/s3') + ')';
}

// describeObject names an object's encryption for the Server-side
// encryption column.
export function describeObject(info, names) {
  if (info.clientSide) return 'Client-side';
  switch (info.kind) {
    case 'SSE-KMS':
    case 'DSSE-KMS':
      return info.kind + ' (' + (info.kmsKeyId ? names.name(info.kmsKeyId) : 'aws/s3') + ')';
    case 'None':
      return 'None';
    default:
      return info.kind;
  }
}
