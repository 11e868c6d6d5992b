// A JSON policy editor: a text area, Format and Validate buttons and the
// result of the last check. Shared by the bucket and key policy pages.

import { h } from './dom.js';
import { validatePolicy, pretty } from './policy.js';

// policyEditor returns { element, textarea, check(), setText(text) };
// check() validates and shows the outcome, returning the errors.
export function policyEditor({ testid, kind, bucket, text = '' }) {
  const textarea = h('textarea', { class: 'code', rows: '18', spellcheck: 'false', 'data-testid': testid, 'aria-label': kind + ' policy' });
  textarea.value = pretty(text);
  const result = h('div', { class: 'validation', 'data-testid': testid + '-validation', 'aria-live': 'polite' });
  const check = () => {
    const { errors } = validatePolicy(textarea.value, { kind, bucket });
    result.replaceChildren();
    result.dataset.valid = String(errors.length === 0);
    if (errors.length === 0) {
      result.className = 'validation ok';
      result.textContent = 'The policy is valid JSON and well formed.';
    } else {
      result.className = 'validation bad';
      result.append(h('ul', {}, errors.map((e) => h('li', { text: e }))));
    }
    return errors;
  };
  const format = h('button', { type: 'button', class: 'secondary', 'data-testid': testid + '-format', text: 'Format' });
  format.addEventListener('click', () => { textarea.value = pretty(textarea.value); });
  const validate = h('button', { type: 'button', class: 'secondary', 'data-testid': testid + '-validate', text: 'Validate' });
  validate.addEventListener('click', check);
  textarea.addEventListener('input', () => { result.replaceChildren(); delete result.dataset.valid; });
  return {
    element: h('div', { class: 'editor' }, textarea, h('div', { class: 'row' }, format, validate), result),
    textarea,
    check,
    setText: (t) => { textarea.value = t; result.replaceChildren(); },
  };
}
