// Small DOM helpers. Everything is built with createElement and
// textContent: no HTML strings, so nothing an API returns can become markup.

// h builds an element. attrs: "class", "text", "on<event>" (a function,
// attached with addEventListener), booleans as presence attributes, any
// other value as an attribute. Children may be nodes, strings, arrays,
// null or undefined (skipped).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const svgNS = 'http://www.w3.org/2000/svg';

// s builds an SVG element, with the same rules as h.
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(svgNS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') {
      el.textContent = value;
    } else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'value' && 'value' in el) {
      // The attribute too, so that a form's reset() comes back to it.
      if (el instanceof HTMLInputElement) el.setAttribute('value', value);
      el.value = value;
    } else if (name === 'checked' || name === 'selected') {
      el.setAttribute(name, '');
      el[name] = true;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// replace empties el and fills it with children.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// errorBanner shows an API error as the API sent it: code, then message.
export function errorBanner(err, testid = 'error-banner') {
  const code = err && err.code ? err.code : 'Error';
  const message = err && err.message ? err.message : String(err);
  return h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': testid },
    h('strong', { 'data-testid': 'error-code', text: code }),
    h('span', { 'data-testid': 'error-message', text: message }));
}

// notice is a short confirmation that an action succeeded.
export function notice(text) {
  return h('div', { class: 'banner banner-ok', role: 'status', 'data-testid': 'notice', text });
}

// flash puts a banner at the top of a page region, replacing the last one.
export function flash(region, banner) {
  replace(region, banner);
  return banner;
}

// busy disables a button while an action runs and reports its failure
// into region. It resolves to the action's result, or undefined on error.
export async function busy(button, region, action) {
  button.disabled = true;
  if (region) region.replaceChildren();
  try {
    return await action();
  } catch (err) {
    if (region) region.append(errorBanner(err));
    else throw err;
    return undefined;
  } finally {
    button.disabled = false;
  }
}

// confirmButton is a button that asks for a second click before acting.
export function confirmButton(label, confirmLabel, testid, onConfirm) {
  const button = h('button', { type: 'button', class: 'danger', 'data-testid': testid, text: label });
  let armed = false;
  let timer = 0;
  button.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      button.textContent = confirmLabel;
      button.setAttribute('data-testid', testid + '-confirm');
      timer = setTimeout(disarm, 8000);
      return;
    }
    disarm();
    onConfirm(button);
  });
  function disarm() {
    clearTimeout(timer);
    armed = false;
    button.textContent = label;
    button.setAttribute('data-testid', testid);
  }
  return button;
}

// field is a labelled form control.
export function field(label, control, hint) {
  return h('label', { class: 'field' },
    h('span', { class: 'field-label', text: label }),
    control,
    hint ? h('span', { class: 'field-hint', text: hint }) : null);
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

// formatBytes shows a size in binary units.
export function formatBytes(n) {
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0)) + ' ' + units[i];
}

// formatDate shows a Date, an ISO string or epoch seconds in local time.
export function formatDate(value) {
  if (value === undefined || value === null || value === '') return '';
  const d = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

// table builds a table with a header row and the given body rows.
export function table(headers, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, rows));
}

// loading is a placeholder shown while data arrives.
export function loading(text = 'Loading…') {
  return h('p', { class: 'muted', 'data-testid': 'loading', text });
}
