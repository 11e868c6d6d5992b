// Sign-in: an access key id and its secret, sent once to open a session.
// The secret is read from the form, sent, and the form is emptied and
// dropped: nothing keeps it in the page, and nothing stores it.

import { signIn } from '../api.js';
import { h, errorBanner } from '../dom.js';

export function renderSignIn(view, onSignedIn, message) {
  const accessKey = h('input', {
    type: 'text', id: 'signin-access-key', name: 'accessKeyId', 'data-testid': 'signin-access-key',
    autocomplete: 'username', spellcheck: 'false', required: true,
  });
  const secret = h('input', {
    type: 'password', id: 'signin-secret', name: 'secretAccessKey', 'data-testid': 'signin-secret',
    autocomplete: 'off', spellcheck: 'false', required: true,
  });
  const submit = h('button', { type: 'submit', 'data-testid': 'signin-submit', text: 'Sign in' });
  const errors = h('div', { 'data-testid': 'signin-errors' });
  const form = h('form', { class: 'signin card', 'data-testid': 'signin-form', novalidate: true },
    h('h1', { text: 'Sign in to Coffer' }),
    message ? h('p', { class: 'banner banner-info', 'data-testid': 'signin-message', text: message }) : null,
    errors,
    h('label', { class: 'field', for: 'signin-access-key' }, h('span', { class: 'field-label', text: 'Access key ID' }), accessKey),
    h('label', { class: 'field', for: 'signin-secret' }, h('span', { class: 'field-label', text: 'Secret access key' }), secret),
    submit,
    h('p', { class: 'muted small', text: 'The secret is sent once to open a session and is not kept by this page. ' +
      'Every action runs with this access key\u2019s own permissions.' }));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    const id = accessKey.value.trim();
    const key = secret.value;
    if (!id || !key) {
      errors.append(errorBanner({ code: 'MissingCredentials', message: 'Enter an access key ID and its secret access key.' }, 'signin-error'));
      return;
    }
    submit.disabled = true;
    secret.value = '';
    try {
      const session = await signIn(id, key);
      form.reset();
      form.remove();
      onSignedIn(session);
    } catch (err) {
      errors.append(errorBanner(err, 'signin-error'));
      secret.focus();
    } finally {
      submit.disabled = false;
    }
  });

  view.append(form);
  accessKey.focus();
}
