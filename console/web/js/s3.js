// S3 operations through the proxy: REST paths and headers as the S3 API
// takes them, XML answers read with DOMParser.

import { aws, awsURL, csrfHeaders, errorOf, parseXML, text, children, child, ApiError } from './api.js';
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
// Files up to partSize go in one PUT; larger ones as a multipart upload
// of partSize parts, so no size limit but S3's and a failure costs only
// the parts in flight. onProgress gets (sent, total) for the whole file.
export const partSize = 16 * 1024 * 1024;

export function uploadObject(bucket, key, file, choice = {}, onProgress = () => {}) {
  if (file.size > partSize) return uploadMultipart(bucket, key, file, choice, onProgress);
  return putObject(bucket, key, file, choice, onProgress);
}

// sseHeaders are the request headers of an encryption choice.
function sseHeaders({ sse = '', kmsKeyId = '' }) {
  const headers = {};
  if (sse) headers['x-amz-server-side-encryption'] = sse;
  if (sse === 'aws:kms' && kmsKeyId) headers['x-amz-server-side-encryption-aws-kms-key-id'] = kmsKeyId;
  return headers;
}

// uploadResult is what the console reports of a finished upload, from
// the headers of the answer that created the object.
function uploadResult(header, etag) {
  return {
    etag: etag || header('ETag') || '',
    sse: header('x-amz-server-side-encryption') || '',
    kmsKeyId: header('x-amz-server-side-encryption-aws-kms-key-id') || '',
  };
}

// xhrSend sends body with XMLHttpRequest, whose upload events report
// progress (fetch has none), and resolves to the request once answered
// with success; a failure rejects with the API's error.
function xhrSend(method, url, headers, body, what, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries({ ...csrfHeaders(), ...headers })) xhr.setRequestHeader(k, v);
    xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.lengthComputable ? e.total : body.size));
    xhr.addEventListener('load', async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size, body.size);
        resolve(xhr);
        return;
      }
      const respHeaders = new Headers();
      const type = xhr.getResponseHeader('Content-Type');
      if (type) respHeaders.set('Content-Type', type);
      reject(await errorOf(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers: respHeaders }), 's3', method));
    });
    xhr.addEventListener('error', () => reject(new Error('The upload of ' + what + ' failed: the connection was lost.')));
    xhr.addEventListener('abort', () => reject(new Error('The upload of ' + what + ' was cancelled.')));
    xhr.send(body);
  });
}

// putObject PUTs one file.
async function putObject(bucket, key, file, choice, onProgress) {
  const headers = { 'Content-Type': file.type || 'application/octet-stream', ...sseHeaders(choice) };
  const xhr = await xhrSend('PUT', downloadURL(bucket, key), headers, file, key, onProgress);
  return uploadResult((name) => xhr.getResponseHeader(name));
}

// uploadMultipart sends a file as CreateMultipartUpload (with the
// encryption choice), UploadPart for each partSize slice, two at a time,
// and CompleteMultipartUpload; any failure aborts the upload, so no parts
// stay behind, and the first failure is what the caller gets.
async function uploadMultipart(bucket, key, file, choice, onProgress) {
  const path = objectPath(bucket, key);
  const created = await aws('s3', {
    method: 'POST',
    path,
    query: { uploads: '' },
    headers: { 'Content-Type': file.type || 'application/octet-stream', ...sseHeaders(choice) },
  });
  const uploadId = text(parseXML(await created.text()), 'UploadId');
  if (!uploadId) throw new ApiError('MalformedResponse', 'The server started the upload of ' + key + ' without an upload ID.', created.status, 's3');
  try {
    const etags = await uploadParts(path, uploadId, key, file, onProgress);
    const resp = await aws('s3', {
      method: 'POST',
      path,
      query: { uploadId },
      headers: { 'Content-Type': 'application/xml' },
      body: completeDocument(etags),
    });
    // S3 may answer 200 and still fail: the error is then the body.
    const doc = parseXML(await resp.text());
    if (doc.documentElement.localName === 'Error') {
      throw new ApiError(text(doc, 'Code'), text(doc, 'Message'), resp.status, 's3');
    }
    return uploadResult((name) => resp.headers.get(name), text(doc, 'ETag'));
  } catch (err) {
    try {
      await aws('s3', { method: 'DELETE', path, query: { uploadId } });
    } catch {
      /* the upload's own failure is the one to show */
    }
    throw err;
  }
}

// uploadParts uploads the parts, two at a time, and resolves to their
// ETags in order. After a failure no new part starts; the parts in
// flight finish before the failure is reported, so an abort that follows
// leaves nothing behind.
async function uploadParts(path, uploadId, key, file, onProgress) {
  const count = Math.ceil(file.size / partSize);
  const sent = new Array(count).fill(0);
  const etags = new Array(count);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const i = next++;
      const blob = file.slice(i * partSize, Math.min(file.size, (i + 1) * partSize));
      try {
        const url = awsURL('s3', path, { partNumber: String(i + 1), uploadId });
        const xhr = await xhrSend('PUT', url, {}, blob, key, (loaded) => {
          sent[i] = loaded;
          onProgress(sent.reduce((a, b) => a + b, 0), file.size);
        });
        etags[i] = xhr.getResponseHeader('ETag') || '';
        if (!etags[i]) throw new ApiError('MalformedResponse', 'The server sent no ETag for part ' + (i + 1) + ' of ' + key + '.', xhr.status, 's3');
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const results = await Promise.allSettled([worker(), worker()]);
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  return etags;
}

// completeDocument is the CompleteMultipartUpload request body.
function completeDocument(etags) {
  const doc = document.implementation.createDocument(xmlns, 'CompleteMultipartUpload', null);
  etags.forEach((etag, i) => {
    const part = doc.createElementNS(xmlns, 'Part');
    const number = doc.createElementNS(xmlns, 'PartNumber');
    number.textContent = String(i + 1);
    const tag = doc.createElementNS(xmlns, 'ETag');
    tag.textContent = etag;
    part.append(number, tag);
    doc.documentElement.append(part);
  });
  return new XMLSerializer().serializeToString(doc);
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
