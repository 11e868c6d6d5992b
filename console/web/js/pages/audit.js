// Audit: CloudTrail LookupEvents over the audit trail, filtered by key,
// user, event name and time, with a chart of each key's use over time.
// LookupEvents takes one attribute per call: the most selective filter
// goes to the server, the others are applied to what comes back.

import { h, replace, errorBanner, field, formatDate, loading } from '../dom.js';
import { json11, query } from '../api.js';
import { loadKeys, KeyNames } from '../kms.js';
import { keyUses, usageChart } from '../chart.js';
import { go } from '../router.js';

const target = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';
const maxPages = 20; // 50 events a page
const eventNames = ['GenerateDataKey', 'Decrypt', 'Encrypt', 'ReEncrypt', 'CreateKey', 'ScheduleKeyDeletion', 'RotateKeyOnDemand',
  'EnableKeyRotation', 'DisableKey', 'PutKeyPolicy', 'PutObject', 'GetObject', 'DeleteObject', 'CreateBucket',
  'PutBucketEncryption', 'PutBucketPolicy', 'DeleteBucketPolicy', 'CreateUser', 'PutUserPolicy', 'ConsoleLogin'];

export async function renderAudit(view, params) {
  const filters = {
    key: params.get('key') || '',
    user: params.get('user') || '',
    event: params.get('event') || '',
    start: params.get('start') || '',
    end: params.get('end') || '',
  };
  const results = h('section', { 'data-testid': 'audit-results' });
  view.append(h('h1', { text: 'Audit' }), filterForm(filters), results);
  await search(results, filters);
}

function filterForm(filters) {
  const key = h('select', { 'data-testid': 'audit-key' }, h('option', { value: '', text: 'Any key' }));
  if (filters.key) key.append(h('option', { value: filters.key, text: filters.key, selected: true }));
  loadKeys().then((keys) => {
    for (const k of keys) {
      if (k.arn === filters.key) {
        key.querySelector(`option[value="${CSS.escape(k.arn)}"]`).textContent = k.aliases[0] || k.id;
        continue;
      }
      key.append(h('option', { value: k.arn, text: k.aliases[0] || k.id }));
    }
  }, () => {});
  const user = h('input', { type: 'text', list: 'audit-users', 'data-testid': 'audit-user', value: filters.user, placeholder: 'Any user' });
  const users = h('datalist', { id: 'audit-users' }, h('option', { value: 'root' }));
  query('iam', 'ListUsers').then((doc) => {
    for (const n of doc.getElementsByTagNameNS('*', 'UserName')) users.append(h('option', { value: n.textContent }));
  }, () => {});
  const event = h('input', { type: 'text', list: 'audit-events', 'data-testid': 'audit-event', value: filters.event, placeholder: 'Any event' });
  const events = h('datalist', { id: 'audit-events' }, eventNames.map((n) => h('option', { value: n })));
  const start = h('input', { type: 'datetime-local', 'data-testid': 'audit-start', value: filters.start, step: '1' });
  const end = h('input', { type: 'datetime-local', 'data-testid': 'audit-end', value: filters.end, step: '1' });
  const submit = h('button', { type: 'submit', 'data-testid': 'audit-search', text: 'Search' });
  const form = h('form', { class: 'card', 'data-testid': 'audit-filters' },
    h('div', { class: 'row' }, field('KMS key', key), field('User', user), field('Event name', event), field('From', start), field('To', end), submit),
    users, events);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(['audit'], { key: key.value, user: user.value.trim(), event: event.value.trim(), start: start.value, end: end.value });
  });
  return form;
}

async function search(results, filters) {
  replace(results, loading('Looking up events…'));
  const from = filters.start ? new Date(filters.start).getTime() : 0;
  const to = filters.end ? new Date(filters.end).getTime() : 0;
  const request = {};
  if (filters.key) request.LookupAttributes = [{ AttributeKey: 'ResourceName', AttributeValue: filters.key }];
  else if (filters.user) request.LookupAttributes = [{ AttributeKey: 'Username', AttributeValue: filters.user }];
  else if (filters.event) request.LookupAttributes = [{ AttributeKey: 'EventName', AttributeValue: filters.event }];
  if (from) request.StartTime = from / 1000;
  if (to) request.EndTime = to / 1000;
  const keep = (e) => (!filters.user || e.Username === filters.user) && (!filters.event || e.EventName === filters.event);

  const events = [];
  let truncated = false;
  try {
    let token = '';
    for (let page = 0; page < maxPages; page++) {
      const resp = await json11('cloudtrail', target, token ? { ...request, NextToken: token } : request);
      events.push(...(resp.Events || []).filter(keep));
      token = resp.NextToken || '';
      if (!token) break;
      truncated = page === maxPages - 1;
    }
  } catch (err) {
    replace(results, errorBanner(err));
    return;
  }
  const names = new KeyNames();
  await names.ready;
  replace(results,
    h('p', { 'data-testid': 'audit-count', text: events.length + ' event' + (events.length === 1 ? '' : 's') + (truncated ? ' (the newest; narrow the filters to see older ones)' : '') + '.' }),
    usageChart(keyUses(events), names, from, to),
    events.length === 0 ? h('p', { class: 'muted', 'data-testid': 'audit-empty', text: 'No event matches.' }) : eventTable(events, names));
}

function eventTable(events, names) {
  const rows = events.map((e) => {
    let record = {};
    try {
      record = JSON.parse(e.CloudTrailEvent);
    } catch {
      record = {};
    }
    const resources = (e.Resources || []).map((r) => (r.ResourceType === 'AWS::KMS::Key' ? names.name(r.ResourceName) : r.ResourceName));
    const outcome = record.errorCode ? record.errorCode + (record.errorMessage ? ': ' + record.errorMessage : '') : 'OK';
    return h('tr', { 'data-testid': 'audit-row', 'data-event': e.EventName },
      h('td', { text: formatDate(e.EventTime) }),
      h('td', { 'data-testid': 'audit-event-name', text: e.EventName }),
      h('td', { text: e.Username || '' }),
      h('td', { text: (e.EventSource || '').replace('.amazonaws.com', '') }),
      h('td', { class: 'wrap', text: resources.join(', ') }),
      h('td', { class: record.errorCode ? 'error-text' : '', 'data-testid': 'audit-outcome', text: outcome }),
      h('td', {}, h('details', {}, h('summary', { text: 'Record' }), h('pre', { class: 'code', text: JSON.stringify(record, null, 2) }))));
  });
  return h('table', { class: 'grid', 'data-testid': 'audit-table' },
    h('thead', {}, h('tr', {}, ['Time', 'Event', 'User', 'Source', 'Resources', 'Outcome', ''].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, rows));
}
