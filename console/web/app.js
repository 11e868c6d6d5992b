// The Coffer console: a single page that signs in, then drives Coffer's
// own APIs through the console's signing proxy. See js/api.js for what
// the page holds (never the secret) and js/pages/ for one module per page.

import { currentSession, signOut, whenSessionLost } from './js/api.js';
import { current } from './js/router.js';
import { h, replace, errorBanner } from './js/dom.js';
import { renderSignIn } from './js/pages/signin.js';
import { renderBuckets } from './js/pages/buckets.js';
import { renderBucket } from './js/pages/bucket.js';
import { renderKeys } from './js/pages/keys.js';
import { renderKey } from './js/pages/key.js';
import { renderAudit } from './js/pages/audit.js';

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
const whoami = document.getElementById('whoami');
let session = null;

// route renders the page the hash names into a fresh container, so that
// a page still loading after the user moved on writes nowhere visible.
function route() {
  if (!session) return;
  const { segments, query } = current();
  const view = h('div', { class: 'view' });
  replace(main, view);
  const [section = 'buckets', id, tab] = segments;
  for (const a of topbar.querySelectorAll('[data-nav]')) {
    a.classList.toggle('active', a.dataset.nav === section);
  }
  let page;
  if (section === 'buckets' && id === undefined) page = renderBuckets(view, query);
  else if (section === 'buckets') page = renderBucket(view, id, tab || 'objects', query);
  else if (section === 'keys' && id === undefined) page = renderKeys(view, query);
  else if (section === 'keys') page = renderKey(view, id, query);
  else if (section === 'audit') page = renderAudit(view, query);
  else page = Promise.resolve(view.append(h('h1', { text: 'Not found' }), h('p', { text: 'No page is at this address.' })));
  Promise.resolve(page).catch((err) => view.append(errorBanner(err)));
}

function showConsole(s) {
  session = s;
  topbar.hidden = false;
  whoami.textContent = s.userName ? s.userName + ' · ' + s.arn : s.arn;
  whoami.title = 'Account ' + s.accountId + (s.expiresAt ? ', session ends ' + new Date(s.expiresAt).toLocaleString() : '');
  if (!location.hash || location.hash === '#' || location.hash === '#/') location.hash = '#/buckets';
  route();
}

function showSignIn(message) {
  session = null;
  topbar.hidden = true;
  whoami.textContent = '';
  const view = h('div', { class: 'view' });
  replace(main, view);
  renderSignIn(view, showConsole, message);
}

async function start() {
  window.addEventListener('hashchange', route);
  document.getElementById('signout').addEventListener('click', async () => {
    try {
      await signOut();
    } finally {
      showSignIn('You have signed out.');
    }
  });
  whenSessionLost(() => showSignIn('Your session has ended. Sign in again.'));
  try {
    const s = await currentSession();
    if (s) showConsole(s);
    else showSignIn();
  } catch (err) {
    showSignIn();
    main.prepend(errorBanner(err));
  }
}

start();
