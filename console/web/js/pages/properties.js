// A bucket's Properties tab: default encryption, shown, then edited and
// saved as in the console lab: SSE-S3 or SSE-KMS with a key and the bucket
// key, and whether SSE-C uploads are blocked.

import { h, replace, errorBanner, notice, busy, loading } from '../dom.js';
import { getBucketEncryption, putBucketEncryption } from '../s3.js';
import { KeyNames } from '../kms.js';
import { keyPicker } from '../keypicker.js';
import { describeDefault } from '../encryption.js';

export async function renderProperties(view, bucket) {
  const messages = h('div', { class: 'messages', 'data-testid': 'properties-messages' });
  const panel = h('section', { class: 'card', 'data-testid': 'encryption-panel' }, loading());
  view.append(messages, panel);
  await show(panel, messages, bucket);
}

async function show(panel, messages, bucket) {
  let enc;
  const names = new KeyNames();
  try {
    [enc] = await Promise.all([getBucketEncryption(bucket), names.ready]);
  } catch (err) {
    replace(panel, h('h2', { text: 'Default encryption' }), errorBanner(err));
    return;
  }
  const kms = enc.algorithm !== 'AES256';
  const sseC = enc.blocked.includes('SSE-C');
  const edit = h('button', { type: 'button', class: 'secondary', 'data-testid': 'encryption-edit', text: 'Edit' });
  edit.addEventListener('click', () => editor(panel, messages, bucket, enc));
  const row = (label, testid, value) => [h('dt', { text: label }), h('dd', { 'data-testid': testid, text: value })];
  replace(panel,
    h('div', { class: 'card-head' }, h('h2', { text: 'Default encryption' }), edit),
    h('p', { class: 'muted', text: 'Server-side encryption is applied to every new object stored in this bucket unless the upload asks for another.' }),
    h('dl', { class: 'details' },
      row('Encryption type', 'encryption-type', describeDefault(enc, names)),
      kms ? row('KMS key', 'encryption-key', enc.kmsKeyId || 'aws/s3 (AWS managed key)') : null,
      kms ? row('Bucket key', 'encryption-bucket-key', enc.bucketKey ? 'Enabled' : 'Disabled') : null,
      row('SSE-C uploads', 'encryption-ssec', sseC ? 'Blocked' : 'Allowed')));
}

function editor(panel, messages, bucket, enc) {
  const isKMS = enc.algorithm !== 'AES256';
  const sseS3 = h('input', { type: 'radio', name: 'sse', value: 'AES256', 'data-testid': 'encryption-sse-s3', checked: !isKMS });
  const sseKMS = h('input', { type: 'radio', name: 'sse', value: 'aws:kms', 'data-testid': 'encryption-sse-kms', checked: isKMS });
  const picker = keyPicker({ testid: 'encryption-key-picker', selected: isKMS ? enc.kmsKeyId : '' });
  const bucketKey = h('input', { type: 'checkbox', 'data-testid': 'encryption-bucket-key-toggle', checked: isKMS ? enc.bucketKey : true });
  const blockSSEC = h('input', { type: 'checkbox', 'data-testid': 'encryption-block-ssec', checked: enc.blocked.includes('SSE-C') });
  const kmsOptions = h('fieldset', { class: 'sub', hidden: !isKMS },
    h('legend', { text: 'AWS KMS key' }),
    h('label', { class: 'field' }, h('span', { class: 'field-label', text: 'Key' }), picker.element),
    h('label', { class: 'check' }, bucketKey, ' Bucket key: one data key per bucket and key, fewer KMS calls'));
  const toggle = () => { kmsOptions.hidden = !sseKMS.checked; };
  sseS3.addEventListener('change', toggle);
  sseKMS.addEventListener('change', toggle);
  const save = h('button', { type: 'submit', 'data-testid': 'encryption-save', text: 'Save changes' });
  const cancel = h('button', { type: 'button', class: 'secondary', 'data-testid': 'encryption-cancel', text: 'Cancel' });
  cancel.addEventListener('click', () => show(panel, messages, bucket));
  const form = h('form', { 'data-testid': 'encryption-form' },
    h('h2', { text: 'Edit default encryption' }),
    h('fieldset', {},
      h('legend', { text: 'Encryption type' }),
      h('label', { class: 'check' }, sseS3, ' Server-side encryption with Coffer managed keys (SSE-S3)'),
      h('label', { class: 'check' }, sseKMS, ' Server-side encryption with KMS keys (SSE-KMS)')),
    kmsOptions,
    h('fieldset', {},
      h('legend', { text: 'Blocked encryption types' }),
      h('label', { class: 'check' }, blockSSEC, ' Block uploads with customer-provided keys (SSE-C)')),
    h('div', { class: 'row' }, save, cancel));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const kms = sseKMS.checked;
    // The rule replaces the bucket's whole rule: nothing listed, nothing blocked.
    const blocked = blockSSEC.checked ? ['SSE-C'] : [];
    busy(save, messages, async () => {
      await putBucketEncryption(bucket, {
        algorithm: kms ? 'aws:kms' : 'AES256',
        kmsKeyId: kms ? picker.value() : '',
        bucketKey: kms && bucketKey.checked,
        blocked,
      });
      messages.replaceChildren(notice('Default encryption saved.'));
      await show(panel, messages, bucket);
    });
  });
  replace(panel, form);
}
