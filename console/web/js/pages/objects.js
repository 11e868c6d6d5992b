// A bucket's Objects tab: one level of the bucket by prefix, with a
// Server-side encryption column read from each object's HEAD, the upload
// panel, download and delete.

import { h, replace, errorBanner, notice, formatBytes, formatDate, loading, confirmButton } from '../dom.js';
import { listObjects, headObject, objectEncryption, deleteObject, downloadURL } from '../s3.js';
import { KeyNames } from '../kms.js';
import { describeObject } from '../encryption.js';
import { link } from '../router.js';
import { uploadPanel } from './upload.js';

// At most this many HEAD requests run at once to fill the column.
const headConcurrency = 6;

export async function renderObjects(view, bucket, prefix) {
  const messages = h('div', { class: 'messages', 'data-testid': 'objects-messages' });
  const list = h('section', { 'data-testid': 'object-list' }, loading());
  const refresh = h('button', { type: 'button', class: 'secondary', 'data-testid': 'objects-refresh', text: 'Refresh' });
  const names = new KeyNames();
  const reload = () => fill(list, bucket, prefix, names, messages);
  refresh.addEventListener('click', reload);
  view.append(
    h('div', { class: 'toolbar' }, breadcrumbs(bucket, prefix), refresh),
    messages,
    uploadPanel(bucket, prefix, reload),
    list);
  await reload();
}

function breadcrumbs(bucket, prefix) {
  const parts = prefix.split('/').filter((p) => p !== '');
  const crumbs = [h('a', { href: link(['buckets', bucket, 'objects']), 'data-testid': 'prefix-root', text: bucket + '/' })];
  let acc = '';
  for (const p of parts) {
    acc += p + '/';
    crumbs.push(h('a', { href: link(['buckets', bucket, 'objects'], { prefix: acc }), text: p + '/' }));
  }
  return h('p', { class: 'prefix', 'data-testid': 'prefix' }, crumbs);
}

async function fill(list, bucket, prefix, names, messages) {
  replace(list, loading());
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', 'data-testid': 'objects-more', text: 'Load more', hidden: true });
  const grid = h('table', { class: 'grid', 'data-testid': 'object-table' },
    h('thead', {}, h('tr', {}, ['Name', 'Size', 'Last modified', 'Server-side encryption', ''].map((t) => h('th', { scope: 'col', text: t })))),
    body);
  let token = '';
  let count = 0;
  const page = async () => {
    const result = await listObjects(bucket, prefix, token);
    token = result.next;
    more.hidden = !token;
    for (const folder of result.folders) {
      body.append(h('tr', { 'data-testid': 'folder-row', 'data-prefix': folder },
        h('td', { colspan: '5' }, h('a', { href: link(['buckets', bucket, 'objects'], { prefix: folder }), 'data-testid': 'folder-link', class: 'folder', text: folder.slice(prefix.length) }))));
    }
    const rows = result.objects.map((o) => objectRow(bucket, prefix, o, messages));
    body.append(...rows.map((r) => r.row));
    count += result.folders.length + rows.length;
    await names.ready;
    await fillEncryption(bucket, rows, names);
  };
  more.addEventListener('click', () => page().catch((err) => list.append(errorBanner(err))));
  try {
    await page();
  } catch (err) {
    replace(list, errorBanner(err));
    return;
  }
  replace(list, count === 0 ? h('p', { class: 'muted', 'data-testid': 'objects-empty', text: 'No objects' + (prefix ? ' under ' + prefix : '') + '.' }) : grid, more);
}

function objectRow(bucket, prefix, o, messages) {
  const enc = h('td', { 'data-testid': 'object-encryption', class: 'muted', text: '…' });
  const row = h('tr', { 'data-testid': 'object-row', 'data-key': o.key },
    h('td', {}, h('a', { href: link(['buckets', bucket, 'object'], { key: o.key }), 'data-testid': 'object-link', text: o.key.slice(prefix.length) })),
    h('td', { class: 'num', text: formatBytes(o.size) }),
    h('td', { text: formatDate(o.lastModified) }),
    enc,
    h('td', { class: 'actions' },
      h('a', { href: downloadURL(bucket, o.key), download: o.key.slice(prefix.length), 'data-testid': 'object-download', class: 'button secondary', text: 'Download' }),
      confirmButton('Delete', 'Confirm delete', 'object-delete', async (button) => {
        button.disabled = true;
        try {
          await deleteObject(bucket, o.key);
          row.remove();
          messages.replaceChildren(notice('Deleted ' + o.key + '.'));
        } catch (err) {
          button.disabled = false;
          messages.replaceChildren(errorBanner(err));
        }
      })));
  return { row, enc, key: o.key };
}

// fillEncryption HEADs the objects a few at a time. A HEAD refused with
// 400 and no body is an SSE-C object: it cannot be read without its key.
async function fillEncryption(bucket, rows, names) {
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const { enc, key } = rows[next++];
      try {
        const info = objectEncryption(await headObject(bucket, key));
        enc.textContent = describeObject(info, names);
        enc.className = '';
        enc.dataset.kind = info.clientSide ? 'client-side' : info.kind;
        if (info.kmsKeyId) enc.title = info.kmsKeyId;
        if (info.clientSide) enc.title = 'Encrypted by the client before upload; at rest also ' + info.kind;
      } catch (err) {
        if (err.status === 400) {
          enc.textContent = 'SSE-C';
          enc.dataset.kind = 'SSE-C';
          enc.className = '';
          enc.title = 'Encrypted with a customer-provided key: its details need that key.';
        } else {
          enc.textContent = err.code;
          enc.title = err.message;
          enc.className = 'error-text';
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(headConcurrency, rows.length) }, worker));
}
