// KMS operations (AWS JSON 1.1, X-Amz-Target TrentService.*) and the
// key directory the pages share to name keys by their aliases.

import { json11 } from './api.js';

// kms calls one KMS operation.
export function kms(operation, payload = {}) {
  return json11('kms', 'TrentService.' + operation, payload);
}

// pages collects every page of a Marker/NextMarker listing.
async function pages(operation, payload, field) {
  const out = [];
  let marker = '';
  for (let i = 0; i < 100; i++) {
    const resp = await kms(operation, marker ? { ...payload, Marker: marker } : payload);
    out.push(...(resp[field] || []));
    if (!resp.Truncated || !resp.NextMarker) break;
    marker = resp.NextMarker;
  }
  return out;
}

export function listAliases(keyId) {
  return pages('ListAliases', keyId ? { KeyId: keyId } : {}, 'Aliases');
}

export function listRotations(keyId) {
  return pages('ListKeyRotations', { KeyId: keyId }, 'Rotations');
}

// loadKeys lists every key with its metadata and aliases, newest first.
// Keys whose DescribeKey is denied are listed with the error.
export async function loadKeys() {
  const [entries, aliases] = await Promise.all([pages('ListKeys', {}, 'Keys'), listAliases()]);
  const byKey = aliasesByKey(aliases);
  const keys = await Promise.all(entries.map(async (entry) => {
    try {
      const { KeyMetadata: meta } = await kms('DescribeKey', { KeyId: entry.KeyId });
      return { id: entry.KeyId, arn: entry.KeyArn, meta, aliases: byKey.get(entry.KeyId) || [] };
    } catch (error) {
      return { id: entry.KeyId, arn: entry.KeyArn, meta: null, error, aliases: byKey.get(entry.KeyId) || [] };
    }
  }));
  keys.sort((a, b) => (b.meta ? b.meta.CreationDate : 0) - (a.meta ? a.meta.CreationDate : 0));
  return keys;
}

function aliasesByKey(aliases) {
  const byKey = new Map();
  for (const a of aliases) {
    if (!a.TargetKeyId) continue;
    if (!byKey.has(a.TargetKeyId)) byKey.set(a.TargetKeyId, []);
    byKey.get(a.TargetKeyId).push(a.AliasName);
  }
  for (const list of byKey.values()) list.sort();
  return byKey;
}

// keyIdOf is the key id in a key ARN (or the id itself).
export function keyIdOf(arnOrId) {
  const i = arnOrId.lastIndexOf(':key/');
  return i >= 0 ? arnOrId.slice(i + 5) : arnOrId;
}

// KeyNames names keys by alias. It is loaded once per page; a caller who
// may not list aliases gets key ids instead.
export class KeyNames {
  constructor() {
    this.byKey = new Map();
    this.ready = listAliases().then((aliases) => {
      this.byKey = aliasesByKey(aliases);
    }, () => {});
  }

  // name is the first alias of the key, or its id.
  name(arnOrId) {
    if (!arnOrId) return '';
    if (arnOrId.startsWith('alias/')) return arnOrId;
    const id = keyIdOf(arnOrId);
    const list = this.byKey.get(id);
    return list && list.length > 0 ? list[0] : id;
  }
}

// isCustomerKey tells keys a user manages from AWS managed ones
// (aws/s3), which take no key-management calls.
export function isCustomerKey(key) {
  return !key.meta || key.meta.KeyManager !== 'AWS';
}
