// A bucket: its tabs (Objects, Properties, Permissions) and the object page.

import { h } from '../dom.js';
import { link } from '../router.js';
import { renderObjects } from './objects.js';
import { renderObject } from './object.js';
import { renderProperties } from './properties.js';
import { renderPermissions } from './permissions.js';

const tabs = [
  ['objects', 'Objects'],
  ['properties', 'Properties'],
  ['permissions', 'Permissions'],
];

export function renderBucket(view, bucket, tab, query) {
  if (tab === 'object') {
    const key = query.get('key') || '';
    const folder = key.slice(0, key.lastIndexOf('/') + 1);
    view.append(h('p', { class: 'crumbs' },
      h('a', { href: link(['buckets']), text: 'Buckets' }), ' / ',
      h('a', { href: link(['buckets', bucket, 'objects']), 'data-testid': 'crumb-bucket', text: bucket }),
      folder ? [' / ', h('a', { href: link(['buckets', bucket, 'objects'], { prefix: folder }), text: folder })] : null));
    return renderObject(view, bucket, key);
  }
  view.append(
    h('p', { class: 'crumbs' }, h('a', { href: link(['buckets']), text: 'Buckets' }), ' / ', h('span', { text: bucket })),
    h('h1', { 'data-testid': 'bucket-title', text: bucket }));
  view.append(h('nav', { class: 'tabs', 'aria-label': 'Bucket' }, tabs.map(([id, label]) =>
    h('a', { href: link(['buckets', bucket, id]), class: id === tab ? 'tab active' : 'tab', 'data-testid': 'tab-' + id, 'aria-current': id === tab ? 'page' : false, text: label }))));
  switch (tab) {
    case 'properties': return renderProperties(view, bucket);
    case 'permissions': return renderPermissions(view, bucket);
    default: return renderObjects(view, bucket, query.get('prefix') || '');
  }
}
