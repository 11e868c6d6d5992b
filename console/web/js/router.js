// Hash routing: #/buckets, #/buckets/NAME/objects?prefix=P,
// #/buckets/NAME/object?key=K, #/buckets/NAME/properties,
// #/buckets/NAME/permissions, #/keys, #/keys/ID, #/audit?key=…

// link is the hash of a route; segments are encoded one by one.
export function link(segments, query) {
  const qs = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== '')).toString() : '';
  return '#/' + segments.map((s) => encodeURIComponent(s)).join('/') + (qs ? '?' + qs : '');
}

// current parses location.hash into { segments, query }.
export function current() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs = ''] = splitOnce(raw, '?');
  const segments = path.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { segments, query: new URLSearchParams(qs) };
}

function splitOnce(s, sep) {
  const i = s.indexOf(sep);
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}

// go navigates to a route.
export function go(segments, query) {
  location.hash = link(segments, query);
}
