// A KMS key picker: a select of the keys the user may list, named by
// alias, with the AWS managed key (aws/s3) first. When listing is denied
// it falls back to a text box for a key ARN, id or alias, and says why.

import { h } from './dom.js';
import { loadKeys } from './kms.js';

// keyPicker returns { element, value() }; value() is a key ARN, an
// alias or '' for the AWS managed key. selected preselects a key.
export function keyPicker({ testid, selected = '', managed = true } = {}) {
  const select = h('select', { 'data-testid': testid, 'aria-label': 'KMS key' },
    h('option', { value: '', text: 'Loading keys…' }));
  const box = h('span', { class: 'keypicker' }, select);
  let input = null;
  const picker = {
    element: box,
    value: () => (input ? input.value.trim() : select.value),
    ready: null,
  };
  picker.ready = loadKeys().then((keys) => {
    select.replaceChildren();
    if (managed) select.append(h('option', { value: '', text: 'aws/s3 (AWS managed key)' }));
    let found = selected === '';
    for (const key of keys) {
      if (!key.meta || key.meta.KeyManager === 'AWS') continue;
      const usable = key.meta.KeyState === 'Enabled';
      const label = (key.aliases[0] || key.id) + (key.aliases[0] ? ' (' + key.id.slice(0, 8) + '…)' : '') +
        (usable ? '' : ' — ' + key.meta.KeyState);
      const isSelected = selected !== '' && [key.arn, key.id, ...key.aliases].includes(selected);
      found = found || isSelected;
      select.append(h('option', { value: key.arn, text: label, selected: isSelected, disabled: !usable && !isSelected }));
    }
    if (!found) select.append(h('option', { value: selected, text: selected, selected: true }));
  }, (err) => {
    input = h('input', { type: 'text', 'data-testid': testid, value: selected, placeholder: 'arn:aws:kms:…:key/… or alias/…', 'aria-label': 'KMS key' });
    box.replaceChildren(input, h('span', { class: 'field-hint', 'data-testid': testid + '-error', text: 'Keys cannot be listed (' + err.code + '): enter a key ARN or alias.' }));
  });
  return picker;
}
