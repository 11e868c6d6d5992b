// A bucket's Permissions tab: the bucket policy in an editor that checks
// the document before saving, with templates that add a statement.

import { h, replace, errorBanner, notice, busy, loading, confirmButton, field } from '../dom.js';
import { getBucketPolicy, putBucketPolicy, deleteBucketPolicy } from '../s3.js';
import { templates, withStatement } from '../policy.js';
import { policyEditor } from '../policyeditor.js';
import { keyPicker } from '../keypicker.js';

export async function renderPermissions(view, bucket) {
  const messages = h('div', { class: 'messages', 'data-testid': 'permissions-messages' });
  const panel = h('section', { class: 'card', 'data-testid': 'policy-panel' }, loading());
  view.append(messages, panel);
  let text;
  try {
    text = await getBucketPolicy(bucket);
  } catch (err) {
    replace(panel, h('h2', { text: 'Bucket policy' }), errorBanner(err));
    return;
  }
  const editor = policyEditor({ testid: 'policy-editor', kind: 'bucket', bucket, text });
  const status = h('p', { class: 'muted', 'data-testid': 'policy-status', text: text ? 'This bucket has a policy.' : 'This bucket has no policy.' });

  const save = h('button', { type: 'button', 'data-testid': 'policy-save', text: 'Save policy' });
  save.addEventListener('click', () => {
    if (editor.check().length > 0) return;
    busy(save, messages, async () => {
      const doc = JSON.stringify(JSON.parse(editor.textarea.value));
      await putBucketPolicy(bucket, doc);
      status.textContent = 'This bucket has a policy.';
      messages.replaceChildren(notice('Bucket policy saved.'));
    });
  });
  const remove = confirmButton('Delete policy', 'Confirm delete', 'policy-delete', (button) => busy(button, messages, async () => {
    await deleteBucketPolicy(bucket);
    editor.setText('');
    status.textContent = 'This bucket has no policy.';
    messages.replaceChildren(notice('Bucket policy deleted.'));
  }));

  const picker = keyPicker({ testid: 'policy-template-key', managed: false });
  const add = (id, ...args) => {
    try {
      editor.setText(withStatement(editor.textarea.value, templates[id].statement(bucket, ...args)));
      editor.check();
    } catch (err) {
      messages.replaceChildren(errorBanner({ code: 'InvalidPolicy', message: 'Fix the policy before adding a template: ' + err.message }));
    }
  };
  const templateButton = (id) => h('button', { type: 'button', class: 'secondary', 'data-testid': 'policy-template-' + id, text: templates[id].label, onclick: () => add(id) });
  const onlyKey = h('button', {
    type: 'button', class: 'secondary', 'data-testid': 'policy-template-only-key', text: templates['only-key'].label,
    onclick: () => {
      const arn = picker.value();
      if (!arn.startsWith('arn:')) {
        messages.replaceChildren(errorBanner({ code: 'KeyRequired', message: 'Choose a KMS key (its ARN) for this template.' }));
        return;
      }
      add('only-key', arn);
    },
  });

  replace(panel,
    h('h2', { text: 'Bucket policy' }),
    status,
    h('div', { class: 'templates' },
      h('span', { class: 'field-label', text: 'Templates' }),
      templateButton('deny-unencrypted'),
      templateButton('deny-non-tls'),
      h('span', { class: 'inline' }, field('Key', picker.element), onlyKey)),
    editor.element,
    h('div', { class: 'row' }, save, remove));
}
