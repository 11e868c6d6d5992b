// Buckets: every bucket with its default encryption, and a form to create
// one with a default-encryption choice.

import { h, replace, errorBanner, notice, busy, field, table, formatDate, loading } from '../dom.js';
import { listBuckets, createBucket, getBucketEncryption, putBucketEncryption } from '../s3.js';
import { KeyNames } from '../kms.js';
import { keyPicker } from '../keypicker.js';
import { describeDefault } from '../encryption.js';
import { link } from '../router.js';

export async function renderBuckets(view) {
  const messages = h('div', { class: 'messages' });
  const list = h('section', { 'data-testid': 'bucket-list' }, loading());
  view.append(h('h1', { text: 'Buckets' }), messages, createForm(messages, () => fill(list)), list);
  await fill(list);
}

async function fill(list) {
  let buckets;
  try {
    buckets = await listBuckets();
  } catch (err) {
    replace(list, errorBanner(err));
    return;
  }
  if (buckets.length === 0) {
    replace(list, h('p', { class: 'muted', 'data-testid': 'bucket-empty', text: 'No buckets yet.' }));
    return;
  }
  const names = new KeyNames();
  const rows = buckets.map((b) => {
    const enc = h('td', { 'data-testid': 'bucket-encryption', class: 'muted', text: '…' });
    defaultEncryption(b.name, names, enc);
    return h('tr', { 'data-testid': 'bucket-row', 'data-bucket': b.name },
      h('td', {}, h('a', { href: link(['buckets', b.name, 'objects']), 'data-testid': 'bucket-link', text: b.name })),
      enc,
      h('td', { text: formatDate(b.created) }));
  });
  replace(list, table(['Name', 'Default encryption', 'Created'], rows, { class: 'grid', 'data-testid': 'bucket-table' }));
}

async function defaultEncryption(bucket, names, cell) {
  try {
    const [enc] = await Promise.all([getBucketEncryption(bucket), names.ready]);
    cell.textContent = describeDefault(enc, names);
    cell.className = '';
  } catch (err) {
    cell.textContent = err.code;
    cell.title = err.message;
    cell.className = 'error-text';
  }
}

function createForm(messages, refresh) {
  const name = h('input', { type: 'text', 'data-testid': 'bucket-create-name', required: true, placeholder: 'my-bucket', spellcheck: 'false' });
  const algorithm = h('select', { 'data-testid': 'bucket-create-encryption' },
    h('option', { value: 'AES256', text: 'SSE-S3 (keys managed by Coffer)' }),
    h('option', { value: 'aws:kms', text: 'SSE-KMS (a KMS key)' }));
  const keyRow = h('div', { class: 'row', hidden: true });
  const bucketKey = h('input', { type: 'checkbox', 'data-testid': 'bucket-create-bucket-key', checked: true });
  let picker = null;
  algorithm.addEventListener('change', () => {
    keyRow.hidden = algorithm.value !== 'aws:kms';
    if (!keyRow.hidden && !picker) {
      picker = keyPicker({ testid: 'bucket-create-key' });
      keyRow.append(field('KMS key', picker.element), h('label', { class: 'check' }, bucketKey, ' Bucket key'));
    }
  });
  const submit = h('button', { type: 'submit', 'data-testid': 'bucket-create-submit', text: 'Create bucket' });
  const form = h('form', { class: 'card form-inline', 'data-testid': 'bucket-create-form' },
    h('h2', { text: 'Create bucket' }),
    h('div', { class: 'row' }, field('Bucket name', name), field('Default encryption', algorithm)),
    keyRow, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const bucket = name.value.trim();
    busy(submit, messages, async () => {
      await createBucket(bucket);
      if (algorithm.value === 'aws:kms') {
        // Keep what the server set for a new bucket (blocked types).
        const enc = await getBucketEncryption(bucket);
        await putBucketEncryption(bucket, { ...enc, algorithm: 'aws:kms', kmsKeyId: picker.value(), bucketKey: bucketKey.checked });
      }
      messages.append(notice('Bucket ' + bucket + ' created.'));
      form.reset();
      algorithm.dispatchEvent(new Event('change'));
      await refresh();
    });
  });
  return form;
}
