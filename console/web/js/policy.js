// Policy documents: the checks the editors run before saving, and the
// bucket policy templates. The server validates again; these checks give
// the reason before a round trip, and point at the statement at fault.

const versions = ['2012-10-17', '2008-10-17'];

// validatePolicy parses text and checks its shape. kind is 'bucket' (then
// bucket names the bucket every Resource must be in) or 'key'. It returns
// { doc, errors }: errors is empty when the document may be saved.
export function validatePolicy(text, { kind, bucket } = {}) {
  const errors = [];
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { doc: null, errors: ['The policy is not valid JSON: ' + err.message] };
  }
  if (!isObject(doc)) return { doc: null, errors: ['The policy must be a JSON object.'] };
  if (!versions.includes(doc.Version)) errors.push('Version must be "2012-10-17" (or the older "2008-10-17").');
  const statements = Array.isArray(doc.Statement) ? doc.Statement : isObject(doc.Statement) ? [doc.Statement] : null;
  if (!statements || statements.length === 0) {
    errors.push('Statement must be a statement or a non-empty list of statements.');
    return { doc, errors };
  }
  const sids = new Set();
  statements.forEach((st, i) => {
    const at = 'Statement ' + (i + 1) + (isObject(st) && typeof st.Sid === 'string' && st.Sid ? ' (' + st.Sid + ')' : '') + ': ';
    if (!isObject(st)) {
      errors.push(at + 'must be a JSON object.');
      return;
    }
    if (st.Sid !== undefined) {
      if (typeof st.Sid !== 'string') errors.push(at + 'Sid must be a string.');
      else if (sids.has(st.Sid)) errors.push(at + 'Sid "' + st.Sid + '" is used twice.');
      else sids.add(st.Sid);
    }
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') errors.push(at + 'Effect must be "Allow" or "Deny".');
    oneOf(st, 'Action', 'NotAction', at, errors);
    oneOf(st, 'Resource', 'NotResource', at, errors);
    if (st.Principal === undefined && st.NotPrincipal === undefined) errors.push(at + 'a Principal (or NotPrincipal) is required in a ' + kind + ' policy.');
    if (st.Condition !== undefined) {
      if (!isObject(st.Condition)) errors.push(at + 'Condition must be an object of operators.');
      else {
        for (const [op, block] of Object.entries(st.Condition)) {
          if (!isObject(block)) errors.push(at + 'the condition operator ' + op + ' must map keys to values.');
        }
      }
    }
    if (kind === 'bucket' && bucket) {
      for (const r of list(st.Resource === undefined ? st.NotResource : st.Resource)) {
        if (typeof r === 'string' && r !== '*' && r !== 'arn:aws:s3:::' + bucket && !r.startsWith('arn:aws:s3:::' + bucket + '/')) {
          errors.push(at + 'the resource ' + r + ' is not this bucket or an object in it.');
        }
      }
    }
  });
  return { doc, errors };
}

function oneOf(st, a, b, at, errors) {
  const has = (k) => st[k] !== undefined;
  if (has(a) === has(b)) {
    errors.push(at + 'exactly one of ' + a + ' and ' + b + ' is required.');
    return;
  }
  const v = st[has(a) ? a : b];
  if (!(typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')))) {
    errors.push(at + (has(a) ? a : b) + ' must be a string or a non-empty list of strings.');
  }
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function list(v) {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

// Bucket policy templates: each is a statement, replacing any statement
// of the same Sid when added.
export const templates = {
  'deny-unencrypted': {
    label: 'Deny unencrypted uploads',
    statement: (bucket) => ({
      Sid: 'DenyUnencryptedUploads',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::' + bucket + '/*',
      Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
    }),
  },
  'deny-non-tls': {
    label: 'Deny requests without TLS',
    statement: (bucket) => ({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::' + bucket, 'arn:aws:s3:::' + bucket + '/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
  },
  'only-key': {
    label: 'Allow only one KMS key',
    statement: (bucket, keyArn) => ({
      Sid: 'DenyOtherKMSKeys',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::' + bucket + '/*',
      Condition: {
        StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
        StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn },
      },
    }),
  },
};

// withStatement adds st to the policy text (or to a new policy when the
// text is empty), replacing a statement with the same Sid.
export function withStatement(text, st) {
  const doc = text.trim() === '' ? { Version: '2012-10-17', Statement: [] } : JSON.parse(text);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  doc.Statement = statements.filter((s) => !s || s.Sid !== st.Sid).concat([st]);
  if (!doc.Version) doc.Version = '2012-10-17';
  return JSON.stringify(doc, null, 2);
}

// pretty re-indents a policy when it parses, else returns it unchanged.
export function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
