// One KMS key: description, enable/disable, aliases, rotation (automatic
// on/off, rotate now, history), deletion (schedule with a waiting period,
// cancel) and the key policy.

import { h, replace, errorBanner, notice, busy, field, table, formatDate, loading, confirmButton } from '../dom.js';
import { kms, listAliases, listRotations } from '../kms.js';
import { policyEditor } from '../policyeditor.js';
import { link } from '../router.js';

export async function renderKey(view, keyId) {
  const messages = h('div', { class: 'messages', 'data-testid': 'key-messages' });
  const content = h('div', { 'data-testid': 'key-detail' }, loading());
  view.append(
    h('p', { class: 'crumbs' }, h('a', { href: link(['keys']), text: 'Keys' }), ' / ', h('span', { class: 'mono', text: keyId })),
    messages, content);
  const act = (button, message, action) => busy(button, messages, async () => {
    await action();
    messages.replaceChildren(notice(message));
    await load();
  });
  const load = async () => {
    let meta;
    try {
      ({ KeyMetadata: meta } = await kms('DescribeKey', { KeyId: keyId }));
    } catch (err) {
      replace(content, errorBanner(err));
      return;
    }
    replace(content,
      h('h1', { 'data-testid': 'key-title', text: meta.Description || meta.KeyId }),
      general(meta, act),
      await aliases(meta, act),
      await rotation(meta, act),
      deletion(meta, act),
      await keyPolicy(meta, act));
  };
  await load();
}

function general(meta, act) {
  const description = h('input', { type: 'text', 'data-testid': 'key-description', value: meta.Description });
  const saveDescription = h('button', { type: 'button', class: 'secondary', 'data-testid': 'key-description-save', text: 'Save description' });
  saveDescription.addEventListener('click', () => act(saveDescription, 'Description saved.',
    () => kms('UpdateKeyDescription', { KeyId: meta.KeyId, Description: description.value })));
  const enabled = meta.KeyState === 'Enabled';
  const toggle = h('button', { type: 'button', class: enabled ? 'secondary' : '', 'data-testid': enabled ? 'key-disable' : 'key-enable', text: enabled ? 'Disable key' : 'Enable key', disabled: meta.KeyState === 'PendingDeletion' });
  toggle.addEventListener('click', () => act(toggle, enabled ? 'Key disabled.' : 'Key enabled.',
    () => kms(enabled ? 'DisableKey' : 'EnableKey', { KeyId: meta.KeyId })));
  const row = (label, testid, value, cls) => [h('dt', { text: label }), h('dd', { 'data-testid': testid, class: cls, text: value })];
  return h('section', { class: 'card' },
    h('h2', { text: 'General' }),
    h('dl', { class: 'details' },
      row('Key ID', 'key-id', meta.KeyId, 'mono'),
      row('ARN', 'key-arn', meta.Arn, 'mono'),
      row('Status', 'key-state', meta.KeyState),
      row('Managed by', 'key-manager', meta.KeyManager === 'AWS' ? 'AWS (managed key)' : 'Customer'),
      row('Key spec', 'key-spec', meta.KeySpec + ' · ' + meta.KeyUsage),
      row('Created', 'key-created', formatDate(meta.CreationDate))),
    h('div', { class: 'row' }, field('Description', description), saveDescription, toggle),
    h('p', {}, h('a', { href: link(['audit'], { key: meta.Arn }), 'data-testid': 'key-usage-link', text: 'Show this key\u2019s use in the audit trail' })));
}

async function aliases(meta, act) {
  const section = h('section', { class: 'card', 'data-testid': 'alias-panel' }, h('h2', { text: 'Aliases' }));
  let list;
  try {
    list = await listAliases(meta.KeyId);
  } catch (err) {
    section.append(errorBanner(err));
    return section;
  }
  section.append(list.length === 0
    ? h('p', { class: 'muted', text: 'No alias.' })
    : h('ul', { class: 'plain' }, list.map((a) => h('li', { 'data-testid': 'alias-row', 'data-alias': a.AliasName },
      h('span', { class: 'mono', text: a.AliasName }), ' ',
      confirmButton('Delete', 'Confirm delete', 'alias-delete', (b) => act(b, 'Alias ' + a.AliasName + ' deleted.', () => kms('DeleteAlias', { AliasName: a.AliasName })))))));
  const name = h('input', { type: 'text', 'data-testid': 'alias-add-name', placeholder: 'alias/my-key', spellcheck: 'false' });
  const add = h('button', { type: 'button', class: 'secondary', 'data-testid': 'alias-add-submit', text: 'Add alias' });
  add.addEventListener('click', () => {
    const alias = name.value.trim().startsWith('alias/') ? name.value.trim() : 'alias/' + name.value.trim();
    act(add, 'Alias ' + alias + ' added.', () => kms('CreateAlias', { AliasName: alias, TargetKeyId: meta.KeyId }));
  });
  section.append(h('div', { class: 'row' }, field('New alias', name), add));
  return section;
}

async function rotation(meta, act) {
  const section = h('section', { class: 'card', 'data-testid': 'rotation-panel' }, h('h2', { text: 'Key rotation' }));
  let status;
  let history;
  try {
    [status, history] = await Promise.all([kms('GetKeyRotationStatus', { KeyId: meta.KeyId }), listRotations(meta.KeyId)]);
  } catch (err) {
    section.append(errorBanner(err));
    return section;
  }
  const on = status.KeyRotationEnabled;
  section.append(h('p', { 'data-testid': 'rotation-status', 'data-enabled': String(on), text: on
    ? 'Automatic rotation is on: every ' + status.RotationPeriodInDays + ' days' + (status.NextRotationDate ? ', next on ' + formatDate(status.NextRotationDate) : '') + '.'
    : 'Automatic rotation is off.' }));
  const period = h('input', { type: 'number', min: '90', max: '2560', 'data-testid': 'rotation-period', value: String(status.RotationPeriodInDays || 365) });
  const toggle = h('button', { type: 'button', class: 'secondary', 'data-testid': on ? 'rotation-disable' : 'rotation-enable', text: on ? 'Turn off automatic rotation' : 'Turn on automatic rotation' });
  toggle.addEventListener('click', () => act(toggle, on ? 'Automatic rotation turned off.' : 'Automatic rotation turned on.', () => on
    ? kms('DisableKeyRotation', { KeyId: meta.KeyId })
    : kms('EnableKeyRotation', { KeyId: meta.KeyId, RotationPeriodInDays: Number(period.value) })));
  const rotateNow = h('button', { type: 'button', 'data-testid': 'rotate-now', text: 'Rotate now' });
  rotateNow.addEventListener('click', () => act(rotateNow, 'On-demand rotation started.', () => kms('RotateKeyOnDemand', { KeyId: meta.KeyId })));
  section.append(h('div', { class: 'row' }, on ? null : field('Period (days)', period), toggle, rotateNow));
  section.append(h('h3', { text: 'Rotation history' }), history.length === 0
    ? h('p', { class: 'muted', 'data-testid': 'rotation-history-empty', text: 'The key has not been rotated.' })
    : table(['Date', 'Type', 'Key material'], history.map((r) => h('tr', { 'data-testid': 'rotation-row' },
      h('td', { text: formatDate(r.RotationDate) }),
      h('td', { 'data-testid': 'rotation-type', text: r.RotationType === 'ON_DEMAND' ? 'On demand' : r.RotationType === 'AUTOMATIC' ? 'Automatic' : r.RotationType || '' }),
      h('td', { class: 'mono', text: r.KeyMaterialId || '' }))), { class: 'grid', 'data-testid': 'rotation-history' }));
  return section;
}

function deletion(meta, act) {
  const section = h('section', { class: 'card', 'data-testid': 'deletion-panel' }, h('h2', { text: 'Deletion' }));
  if (meta.KeyState === 'PendingDeletion') {
    const cancel = h('button', { type: 'button', 'data-testid': 'deletion-cancel', text: 'Cancel key deletion' });
    cancel.addEventListener('click', () => act(cancel, 'Deletion cancelled; the key is disabled until you enable it.', () => kms('CancelKeyDeletion', { KeyId: meta.KeyId })));
    section.append(h('p', { 'data-testid': 'deletion-status', text: 'The key will be deleted on ' + formatDate(meta.DeletionDate) + '. Until then it can be restored.' }), cancel);
    return section;
  }
  const days = h('input', { type: 'number', min: '7', max: '30', value: '30', 'data-testid': 'deletion-window' });
  const schedule = confirmButton('Schedule key deletion', 'Confirm: delete the key after the waiting period', 'deletion-schedule', (b) =>
    act(b, 'Key deletion scheduled.', () => kms('ScheduleKeyDeletion', { KeyId: meta.KeyId, PendingWindowInDays: Number(days.value) })));
  section.append(
    h('p', { class: 'muted', 'data-testid': 'deletion-status', text: 'Objects encrypted under a deleted key can never be read again. Deletion waits 7 to 30 days, during which it can be cancelled.' }),
    h('div', { class: 'row' }, field('Waiting period (days)', days), schedule));
  return section;
}

async function keyPolicy(meta, act) {
  const section = h('section', { class: 'card', 'data-testid': 'key-policy-panel' }, h('h2', { text: 'Key policy' }));
  let policy;
  try {
    ({ Policy: policy } = await kms('GetKeyPolicy', { KeyId: meta.KeyId, PolicyName: 'default' }));
  } catch (err) {
    section.append(errorBanner(err));
    return section;
  }
  const editor = policyEditor({ testid: 'key-policy-editor', kind: 'key', text: policy });
  const save = h('button', { type: 'button', 'data-testid': 'key-policy-save', text: 'Save key policy' });
  save.addEventListener('click', () => {
    if (editor.check().length > 0) return;
    act(save, 'Key policy saved.', () => kms('PutKeyPolicy', { KeyId: meta.KeyId, PolicyName: 'default', Policy: JSON.stringify(JSON.parse(editor.textarea.value)) }));
  });
  section.append(editor.element, h('div', { class: 'row' }, save));
  return section;
}
