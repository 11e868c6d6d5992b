// Keys: the account's KMS keys with their aliases and states, and a form
// to create a symmetric key with a description, an alias and rotation.

import { h, replace, errorBanner, notice, busy, field, table, formatDate, loading } from '../dom.js';
import { kms, loadKeys } from '../kms.js';
import { link } from '../router.js';

export async function renderKeys(view) {
  const messages = h('div', { class: 'messages', 'data-testid': 'keys-messages' });
  const list = h('section', { 'data-testid': 'key-list' }, loading());
  view.append(h('h1', { text: 'Keys' }), messages, createForm(messages, () => fill(list)), list);
  await fill(list);
}

async function fill(list) {
  let keys;
  try {
    keys = await loadKeys();
  } catch (err) {
    replace(list, errorBanner(err));
    return;
  }
  if (keys.length === 0) {
    replace(list, h('p', { class: 'muted', 'data-testid': 'keys-empty', text: 'No keys yet.' }));
    return;
  }
  const rows = keys.map((k) => h('tr', { 'data-testid': 'key-row', 'data-key-id': k.id, 'data-alias': k.aliases[0] || '' },
    h('td', { 'data-testid': 'key-aliases', text: k.aliases.join(', ') || '—' }),
    h('td', {}, h('a', { href: link(['keys', k.id]), class: 'mono', 'data-testid': 'key-link', text: k.id })),
    h('td', { 'data-testid': 'key-state', text: k.meta ? k.meta.KeyState : k.error.code }),
    h('td', { text: k.meta ? k.meta.KeyManager === 'AWS' ? 'AWS managed' : 'Customer managed' : '' }),
    h('td', { text: k.meta ? k.meta.Description : k.error.message }),
    h('td', { text: k.meta ? formatDate(k.meta.CreationDate) : '' })));
  replace(list, table(['Aliases', 'Key ID', 'Status', 'Type', 'Description', 'Created'], rows, { class: 'grid', 'data-testid': 'key-table' }));
}

function createForm(messages, refresh) {
  const description = h('input', { type: 'text', 'data-testid': 'key-create-description', placeholder: 'What the key protects' });
  const alias = h('input', { type: 'text', 'data-testid': 'key-create-alias', placeholder: 'alias/my-key', spellcheck: 'false' });
  const rotation = h('input', { type: 'checkbox', 'data-testid': 'key-create-rotation', checked: true });
  const submit = h('button', { type: 'submit', 'data-testid': 'key-create-submit', text: 'Create key' });
  const form = h('form', { class: 'card', 'data-testid': 'key-create-form' },
    h('h2', { text: 'Create key' }),
    h('p', { class: 'muted', text: 'A symmetric encryption key (SYMMETRIC_DEFAULT, AES-256-GCM) with the default key policy.' }),
    h('div', { class: 'row' }, field('Alias', alias), field('Description', description)),
    h('label', { class: 'check' }, rotation, ' Rotate the key material automatically every year'),
    submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let name = alias.value.trim();
    if (name && !name.startsWith('alias/')) name = 'alias/' + name;
    busy(submit, messages, async () => {
      const { KeyMetadata: meta } = await kms('CreateKey', { Description: description.value.trim(), KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' });
      const done = ['Key ' + meta.KeyId + ' created'];
      const failures = [];
      if (name) {
        try {
          await kms('CreateAlias', { AliasName: name, TargetKeyId: meta.KeyId });
          done.push('alias ' + name);
        } catch (err) {
          failures.push(err);
        }
      }
      if (rotation.checked) {
        try {
          await kms('EnableKeyRotation', { KeyId: meta.KeyId });
          done.push('automatic rotation on');
        } catch (err) {
          failures.push(err);
        }
      }
      messages.replaceChildren(notice(done.join(', ') + '.'), ...failures.map((err) => errorBanner(err)));
      form.reset();
      await refresh();
    });
  });
  return form;
}
