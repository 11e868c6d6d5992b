// S3 operations through the proxy: REST paths and headers as the S3 API
// takes them, XML answers read with DOMParser.

import { aws, awsURL, csrfHeaders, errorOf, parseXML, text, children, child } from './api.js';
import { crc32Base64 } from './crc32.js';

const xmlns = 'http://s3.amazonaws.com/doc/2006-03-01/';

// encodeSegment percent-encodes a path segment as SigV4 expects
// (RFC 3986 unreserved characters stay as they are).
function encodeSegment(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

// objectPath is the S3 path of a bucket or of one of its objects.
export function objectPath(bucket, key) {
  let p = '/' + encodeSegment(bucket);
  if (key !== undefined) p += '/' + key.split('/').map(encodeSegment).join('/');
  return p;
}

export async function listBuckets() {
  const doc = parseXML(await (await aws('s3', { path: '/' })).text());
  const list = child(doc, 'Buckets');
  if (!list) return [];
  return children(list, 'Bucket').map((b) => ({ name: text(b, 'Name'), created: text(b, 'CreationDate') }));
}

export async function createBucket(bucket) {
  await aws('s3', { method: 'PUT', path: objectPath(bucket) });
}

// Encryption is a bucket's default encryption rule.
// { algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse', kmsKeyId, bucketKey, blocked: ['SSE-C', ...] }
export async function getBucketEncryption(bucket) {
  const resp = await aws('s3', { path: objectPath(bucket), query: { encryption: '' } });
  const doc = parseXML(await resp.text());
  const rule = child(doc, 'Rule');
  if (!rule) return { algorithm: 'AES256', kmsKeyId: '', bucketKey: false, blocked: [] };
  const blocked = child(rule, 'BlockedEncryptionTypes');
  return {
    algorithm: text(rule, 'SSEAlgorithm') || 'AES256',
    kmsKeyId: text(rule, 'KMSMasterKeyID'),
    bucketKey: text(rule, 'BucketKeyEnabled') === 'true',
    blocked: blocked ? children(blocked, 'EncryptionType').map((e) => e.textContent) : [],
  };
}

// putBucketEncryption saves a bucket's default encryption. S3 wants an
// integrity header on this document: a CRC-32 checksum is sent.
export async function putBucketEncryption(bucket, enc) {
  const doc = document.implementation.createDocument(xmlns, 'ServerSideEncryptionConfiguration', null);
  const root = doc.documentElement;
  const el = (parent, name, value) => {
    const e = doc.createElementNS(xmlns, name);
    if (value !== undefined) e.textContent = value;
    parent.append(e);
    return e;
  };
  const rule = el(root, 'Rule');
  const def = el(rule, 'ApplyServerSideEncryptionByDefault');
  el(def, 'SSEAlgorithm', enc.algorithm);
  if (enc.algorithm !== 'AES256' && enc.kmsKeyId) el(def, 'KMSMasterKeyID', enc.kmsKeyId);
  el(rule, 'BucketKeyEnabled', enc.algorithm !== 'AES256' && enc.bucketKey ? 'true' : 'false');
  if (enc.blocked && enc.blocked.length > 0) {
    const b = el(rule, 'BlockedEncryptionTypes');
    for (const t of enc.blocked) el(b, 'EncryptionType', t);
  }
  const body = new XMLSerializer().serializeToString(doc);
  await aws('s3', {
    method: 'PUT',
    path: objectPath(bucket),
    query: { encryption: '' },
    headers: { 'Content-Type': 'application/xml', 'x-amz-checksum-crc32': crc32Base64(body) },
    body,
  });
}

// listObjects lists one level of a bucket under prefix ("/" delimited).
export async function listObjects(bucket, prefix, continuationToken) {
  const query = { 'list-type': '2', delimiter: '/', prefix: prefix || '' };
  if (continuationToken) query['continuation-token'] = continuationToken;
  const doc = parseXML(await (await aws('s3', { path: objectPath(bucket), query })).text());
  const result = doc.documentElement;
  return {
    folders: children(result, 'CommonPrefixes').map((p) => text(p, 'Prefix')),
    objects: children(result, 'Contents').map((c) => ({
      key: text(c, 'Key'),
      size: Number(text(c, 'Size')),
      lastModified: text(c, 'LastModified'),
      etag: text(c, 'ETag'),
    })),
    next: text(result, 'IsTruncated') === 'true' ? text(result, 'NextContinuationToken') : '',
  };
}

// headObject returns an object's response headers.
export async function headObject(bucket, key) {
  const resp = await aws('s3', { method: 'HEAD', path: objectPath(bucket, key) });
  return resp.headers;
}

export async function deleteObject(bucket, key) {
  await aws('s3', { method: 'DELETE', path: objectPath(bucket, key) });
}

// downloadURL is a GET of the object through the proxy (the session
// cookie authenticates it).
export function downloadURL(bucket, key) {
  return awsURL('s3', objectPath(bucket, key));
}

// getBucketPolicy is the policy text, or '' when the bucket has none.
export async function getBucketPolicy(bucket) {
  try {
    const resp = await aws('s3', { path: objectPath(bucket), query: { policy: '' } });
    return await resp.text();
  } catch (err) {
    if (err.code === 'NoSuchBucketPolicy') return '';
    throw err;
  }
}

export async function putBucketPolicy(bucket, policy) {
  await aws('s3', {
    method: 'PUT',
    path: objectPath(bucket),
    query: { policy: '' },
    headers: { 'Content-Type': 'application/json', 'x-amz-checksum-crc32': crc32Base64(policy) },
    body: policy,
  });
}

export async function deleteBucketPolicy(bucket) {
  await aws('s3', { method: 'DELETE', path: objectPath(bucket), query: { policy: '' } });
}

// Upload encryption choices: '' (the bucket default), 'AES256', 'aws:kms'.
// uploadObject PUTs one file with XMLHttpRequest, whose upload events
// report progress (fetch has none); onProgress gets (sent, total).
export function uploadObject(bucket, key, file, { sse = '', kmsKeyId = '' } = {}, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', downloadURL(bucket, key));
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    if (sse) xhr.setRequestHeader('x-amz-server-side-encryption', sse);
    if (sse === 'aws:kms' && kmsKeyId) xhr.setRequestHeader('x-amz-server-side-encryption-aws-kms-key-id', kmsKeyId);
    xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.addEventListener('load', async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve({
          etag: xhr.getResponseHeader('ETag') || '',
          sse: xhr.getResponseHeader('x-amz-server-side-encryption') || '',
          kmsKeyId: xhr.getResponseHeader('x-amz-server-side-encryption-aws-kms-key-id') || '',
        });
        return;
      }
      const headers = new Headers();
      const type = xhr.getResponseHeader('Content-Type');
      if (type) headers.set('Content-Type', type);
      reject(await errorOf(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers }), 's3', 'PUT'));
    });
    xhr.addEventListener('error', () => reject(new Error('The upload of ' + key + ' failed: the connection was lost.')));
    xhr.addEventListener('abort', () => reject(new Error('The upload of ' + key + ' was cancelled.')));
    xhr.send(file);
  });
}

// Encryption as an object's headers describe it.
// kind: 'SSE-S3' | 'SSE-KMS' | 'DSSE-KMS' | 'SSE-C' | 'None', clientSide: bool.
export function objectEncryption(headers) {
  const sse = headers.get('x-amz-server-side-encryption') || '';
  const info = {
    kind: 'None',
    kmsKeyId: headers.get('x-amz-server-side-encryption-aws-kms-key-id') || '',
    bucketKey: headers.get('x-amz-server-side-encryption-bucket-key-enabled') === 'true',
    customerAlgorithm: headers.get('x-amz-server-side-encryption-customer-algorithm') || '',
    clientSide: ['x-amz-meta-x-amz-key-v2', 'x-amz-meta-x-amz-3', 'x-amz-meta-x-amz-key'].some((m) => headers.has(m)),
  };
  if (info.customerAlgorithm) info.kind = 'SSE-C';
  else if (sse === 'AES256') info.kind = 'SSE-S3';
  else if (sse === 'aws:kms') info.kind = 'SSE-KMS';
  else if (sse === 'aws:kms:dsse') info.kind = 'DSSE-KMS';
  return info;
}

// userMetadata lists the x-amz-meta-* headers of an object.
export function userMetadata(headers) {
  const out = [];
  headers.forEach((value, name) => {
    if (name.startsWith('x-amz-meta-')) out.push([name.slice('x-amz-meta-'.length), value]);
  });
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}
