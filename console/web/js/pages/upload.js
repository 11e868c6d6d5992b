// The upload panel of a bucket's Objects tab: files from the picker or
// dropped on the zone wait in a list; Upload sends them one by one with
// the chosen encryption, each with its own progress bar (a file over
// 16 MiB goes as a multipart upload, its bar the sum of its parts').

import { h, errorBanner, formatBytes, field } from '../dom.js';
import { uploadObject } from '../s3.js';
import { keyPicker } from '../keypicker.js';

export function uploadPanel(bucket, prefix, onUploaded) {
  const queue = [];
  const input = h('input', { type: 'file', multiple: true, 'data-testid': 'upload-input', id: 'upload-input', class: 'visually-hidden' });
  const items = h('ul', { class: 'uploads', 'data-testid': 'upload-list' });
  const encryption = h('select', { 'data-testid': 'upload-encryption', 'aria-label': 'Encryption for this upload' },
    h('option', { value: '', text: 'Bucket default' }),
    h('option', { value: 'AES256', text: 'SSE-S3' }),
    h('option', { value: 'aws:kms', text: 'SSE-KMS' }));
  const keyField = h('span', { hidden: true });
  let picker = null;
  encryption.addEventListener('change', () => {
    keyField.hidden = encryption.value !== 'aws:kms';
    if (!keyField.hidden && !picker) {
      picker = keyPicker({ testid: 'upload-key' });
      keyField.append(field('KMS key', picker.element));
    }
  });
  const submit = h('button', { type: 'button', 'data-testid': 'upload-submit', text: 'Upload', disabled: true });
  const zone = h('div', { class: 'dropzone', 'data-testid': 'upload-dropzone', tabindex: '0' },
    h('p', {}, 'Drop files here, or ',
      h('label', { for: 'upload-input', class: 'linklike', text: 'choose files' }), '.'),
    input);

  const add = (files) => {
    for (const file of files) {
      const progress = h('progress', { max: String(Math.max(file.size, 1)), value: '0', 'data-testid': 'upload-progress' });
      const status = h('span', { class: 'upload-status', 'data-testid': 'upload-status', text: 'Ready' });
      const row = h('li', { 'data-testid': 'upload-item', 'data-name': file.name, 'data-state': 'ready' },
        h('span', { class: 'upload-name', text: prefix + file.name }),
        h('span', { class: 'muted', text: formatBytes(file.size) }), progress, status);
      items.append(row);
      queue.push({ file, row, progress, status });
    }
    submit.disabled = queue.length === 0;
  };
  input.addEventListener('change', () => {
    add(Array.from(input.files));
    input.value = '';
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    add(Array.from(e.dataTransfer.files));
  });
  zone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      input.click();
    }
  });

  submit.addEventListener('click', async () => {
    const choice = { sse: encryption.value, kmsKeyId: picker && encryption.value === 'aws:kms' ? picker.value() : '' };
    submit.disabled = true;
    encryption.disabled = true;
    let uploaded = 0;
    while (queue.length > 0) {
      const item = queue.shift();
      if (await send(bucket, prefix, item, choice)) uploaded++;
    }
    encryption.disabled = false;
    if (uploaded > 0) onUploaded();
  });

  return h('section', { class: 'card', 'data-testid': 'upload-panel' },
    h('h2', { text: 'Upload' }),
    zone,
    h('div', { class: 'row' }, field('Server-side encryption', encryption), keyField, submit),
    items);
}

async function send(bucket, prefix, { file, row, progress, status }, choice) {
  row.dataset.state = 'uploading';
  status.textContent = '0%';
  try {
    const result = await uploadObject(bucket, prefix + file.name, file, choice, (sent, total) => {
      progress.value = sent;
      status.textContent = total > 0 ? Math.floor((sent / total) * 100) + '%' : '';
    });
    progress.value = progress.max;
    status.textContent = 'Uploaded' + (result.sse ? ' · ' + (result.sse === 'AES256' ? 'SSE-S3' : 'SSE-KMS') : '');
    row.dataset.state = 'done';
    return true;
  } catch (err) {
    row.dataset.state = 'failed';
    status.replaceChildren(errorBanner(err, 'upload-error'));
    return false;
  }
}
