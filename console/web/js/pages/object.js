// An object's page: its encryption details (type, KMS key ARN, bucket
// key), ETag, content type and user metadata, with download and delete.

import { h, replace, errorBanner, notice, formatBytes, formatDate, loading, confirmButton } from '../dom.js';
import { headObject, objectEncryption, userMetadata, deleteObject, downloadURL } from '../s3.js';
import { KeyNames } from '../kms.js';
import { link } from '../router.js';

const kindNames = {
  'SSE-S3': 'SSE-S3 (server-side encryption with keys managed by Coffer)',
  'SSE-KMS': 'SSE-KMS (server-side encryption with a KMS key)',
  'DSSE-KMS': 'DSSE-KMS (dual-layer server-side encryption with a KMS key)',
  'SSE-C': 'SSE-C (server-side encryption with a customer-provided key)',
  None: 'None',
};

export async function renderObject(view, bucket, key) {
  const messages = h('div', { class: 'messages' });
  const body = h('section', { class: 'card', 'data-testid': 'object-detail' }, loading());
  view.append(h('h1', { 'data-testid': 'object-title', text: key.split('/').pop() || key }), messages, body);
  let headers;
  try {
    headers = await headObject(bucket, key);
  } catch (err) {
    if (err.status === 400) {
      replace(body, h('p', { 'data-testid': 'detail-encryption', text: kindNames['SSE-C'] }),
        h('p', { class: 'muted', text: 'This object was stored with a customer-provided key; its details can only be read with that key.' }));
    } else {
      replace(body, errorBanner(err));
    }
    return;
  }
  const names = new KeyNames();
  await names.ready;
  const info = objectEncryption(headers);
  const meta = userMetadata(headers);
  const row = (label, testid, value) => [h('dt', { text: label }), h('dd', { 'data-testid': testid, text: value })];
  replace(body,
    h('h3', { text: 'Server-side encryption' }),
    h('dl', { class: 'details' },
      row('Encryption type', 'detail-encryption', kindNames[info.kind] || info.kind),
      info.kmsKeyId ? row('KMS key ARN', 'detail-kms-key', info.kmsKeyId) : null,
      info.kmsKeyId ? row('KMS key alias', 'detail-kms-alias', names.name(info.kmsKeyId)) : null,
      info.kind === 'SSE-KMS' || info.kind === 'DSSE-KMS' ? row('Bucket key', 'detail-bucket-key', info.bucketKey ? 'Enabled' : 'Disabled') : null,
      info.clientSide ? row('Client-side encryption', 'detail-client-side', 'Yes: the object metadata carries an encrypted data key') : null),
    h('h3', { text: 'Object' }),
    h('dl', { class: 'details' },
      row('Key', 'detail-key', key),
      row('Size', 'detail-size', formatBytes(Number(headers.get('Content-Length') || 0))),
      row('Type', 'detail-content-type', headers.get('Content-Type') || ''),
      row('Last modified', 'detail-last-modified', formatDate(headers.get('Last-Modified'))),
      row('ETag', 'detail-etag', headers.get('ETag') || '')),
    h('h3', { text: 'Metadata' }),
    meta.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'detail-metadata', text: 'No user metadata.' })
      : h('table', { class: 'grid', 'data-testid': 'detail-metadata' },
        h('thead', {}, h('tr', {}, h('th', { text: 'Key' }), h('th', { text: 'Value' }))),
        h('tbody', {}, meta.map(([k, v]) => h('tr', {}, h('td', { text: 'x-amz-meta-' + k }), h('td', { class: 'mono', text: v }))))),
    h('div', { class: 'row' },
      h('a', { href: downloadURL(bucket, key), download: key.split('/').pop(), class: 'button', 'data-testid': 'detail-download', text: 'Download' }),
      confirmButton('Delete', 'Confirm delete', 'detail-delete', async (button) => {
        button.disabled = true;
        try {
          await deleteObject(bucket, key);
          replace(body, notice('Deleted ' + key + '.'), h('a', { href: link(['buckets', bucket, 'objects']), text: 'Back to the objects' }));
        } catch (err) {
          button.disabled = false;
          messages.replaceChildren(errorBanner(err));
        }
      })));
}
