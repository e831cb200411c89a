/**
 * Mutations of a bundle's shape rather than its bytes, aimed at where the fast
 * verifier and bundleFromJSON + @sigstore/verify could read one JSON two ways: fields added, dropped or
 * of the wrong JSON type, duplicate keys in the text, other media types and
 * bundle versions, a DSSE envelope, a certificate chain, a public-key hint,
 * other digest algorithms and timestamp data. Some keep the bundle valid,
 * most make it one that both must refuse.
 */

type Json = Record<string, unknown>;
type Pick = <T>(list: readonly T[]) => T;

const MEDIA_TYPES = [
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json',
];

const ODD_VALUES: unknown[] = [null, 0, 7, '', 'AAAA', true, [], {}, ['x'], { rawBytes: 'AAAA' }];

/** Every object in the bundle, with its path: where fields are added, dropped or retyped. */
function objects(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; node: Json }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => objects(v, [...path, i]));
  if (!value || typeof value !== 'object') return [];
  const node = value as Json;
  return [{ path, node }, ...Object.entries(node).flatMap(([k, v]) => objects(v, [...path, k]))];
}

function material(json: Json): Json {
  return json.verificationMaterial as Json;
}

function entries(json: Json): Json[] {
  return (material(json).tlogEntries as Json[] | undefined) ?? [];
}

/** One shape mutation of a valid message-signature bundle; `others` lends fields from other bundles. */
export function mutateBundleShape(
  bundle: Buffer,
  others: Buffer[],
  rand: () => number,
): { bytes: Buffer; description: string } {
  const pick: Pick = (list) => list[Math.floor(rand() * list.length)]!;
  const json = JSON.parse(bundle.toString()) as Json;
  const done = (description: string) => ({ bytes: Buffer.from(JSON.stringify(json)), description });
  const kind = Math.floor(rand() * 12);
  const { path, node } = pick(objects(json));
  const where = path.join('.') || '(top)';
  const keys = Object.keys(node);
  switch (kind) {
    case 0: {
      const key = pick(['extra', 'dsseEnvelope', 'publicKey', 'hashes', 'rawBytes', ...keys.map((k) => `${k}_`)]);
      node[key] = pick(ODD_VALUES);
      return done(`extra field ${key} in ${where}`);
    }
    case 1: {
      if (keys.length === 0) return done('no field to drop');
      const key = pick(keys);
      delete node[key];
      return done(`drop ${where}.${key}`);
    }
    case 2: {
      if (keys.length === 0) return done('no field to retype');
      const key = pick(keys);
      const value = node[key];
      node[key] = typeof value === 'string' && /^\d+$/.test(value) && rand() < 0.5 ? Number(value) : pick(ODD_VALUES);
      return done(`retype ${where}.${key} to ${JSON.stringify(node[key])}`);
    }
    case 3:
      return duplicateKey(bundle, others, pick);
    case 4: {
      // Each version's own rule: v0.1 entries need a promise, later ones a proof with a checkpoint.
      json.mediaType = pick(MEDIA_TYPES);
      const dropped = rand() < 0.6 ? pick(['inclusionProof', 'inclusionPromise', 'checkpoint']) : 'nothing';
      for (const e of entries(json)) {
        if (dropped === 'checkpoint') delete (e.inclusionProof as Json | undefined)?.checkpoint;
        else delete e[dropped];
      }
      return done(`media type ${String(json.mediaType)}, entries without ${dropped}`);
    }
    case 5: {
      const signature = json.messageSignature as Json;
      const envelope = {
        payload: 'e30=',
        payloadType: 'application/vnd.in-toto+json',
        signatures: [{ sig: signature.signature, keyid: '' }],
      };
      json.dsseEnvelope = envelope;
      if (rand() < 0.5) delete json.messageSignature;
      return done(`a DSSE envelope${json.messageSignature ? ' beside the message signature' : ' instead'}`);
    }
    case 6: {
      const m = material(json);
      const certificates = [m.certificate, ...(rand() < 0.5 ? [m.certificate] : [])];
      m.x509CertificateChain = { certificates };
      if (rand() < 0.7) delete m.certificate;
      json.mediaType = pick(MEDIA_TYPES);
      return done(
        `a chain of ${certificates.length}, ${m.certificate ? 'beside the certificate' : 'alone'}, ${String(json.mediaType)}`,
      );
    }
    case 7: {
      const m = material(json);
      m.publicKey = { hint: pick(['', 'aGludA==', 'key']) };
      if (rand() < 0.5) delete m.certificate;
      return done(`a public-key hint${m.certificate ? ' beside the certificate' : ' instead'}`);
    }
    case 8: {
      const digest = (json.messageSignature as Json).messageDigest as Json;
      digest.algorithm = pick([
        'SHA2_256',
        'SHA2_384',
        'SHA2_512',
        'HASH_ALGORITHM_UNSPECIFIED',
        'SHA3_256',
        0,
        1,
        2,
        'sha256',
      ]);
      return done(`digest algorithm ${JSON.stringify(digest.algorithm)}`);
    }
    case 9: {
      const m = material(json);
      m.timestampVerificationData = pick([
        {},
        { rfc3161Timestamps: [] },
        { rfc3161Timestamps: [{ signedTimestamp: 'AAAA' }] },
        { extra: 1 },
      ]);
      return done(`timestamp data ${JSON.stringify(m.timestampVerificationData)}`);
    }
    case 10: {
      const e = entries(json)[0];
      if (!e) return done('no entry');
      const proof = (e.inclusionProof ?? {}) as Json;
      const key = pick(['logIndex', 'treeSize', 'rootHash', 'hashes', 'checkpoint']);
      proof[key] = pick([undefined, '0', '1', 'AAAA', [], ['AAAA'], { envelope: '' }, 3]);
      e.inclusionProof = proof;
      return done(`inclusion proof ${key} = ${JSON.stringify(proof[key])}`);
    }
    default: {
      const other = JSON.parse(pick(others).toString()) as Json;
      const key = pick(['verificationMaterial', 'messageSignature', 'mediaType']);
      json[key] = other[key];
      return done(`${key} from another bundle`);
    }
  }
}

/** A key written twice in the text (JSON.parse keeps the last): the other bundle's value first or last. */
function duplicateKey(bundle: Buffer, others: Buffer[], pick: Pick): { bytes: Buffer; description: string } {
  const text = bundle.toString();
  const other = JSON.parse(pick(others).toString()) as Json;
  const options: [string, unknown][] = [
    ['signature', (other.messageSignature as Json | undefined)?.signature],
    ['mediaType', pick(MEDIA_TYPES)],
    ['certificate', material(other).certificate],
    ['logIndex', '1'],
    ['tlogEntries', []],
  ];
  const [key, value] = pick(options);
  const at = text.indexOf(`"${key}":`);
  if (at < 0 || value === undefined) return { bytes: bundle, description: `no ${key} to duplicate` };
  const inserted = `"${key}":${JSON.stringify(value)},`;
  const before = pick([true, false]);
  if (before)
    return {
      bytes: Buffer.from(text.slice(0, at) + inserted + text.slice(at)),
      description: `duplicate ${key}, first`,
    };
  const end = valueEnd(text, at + key.length + 3);
  const after = `${text.slice(0, end)},${inserted.slice(0, -1)}${text.slice(end)}`;
  return { bytes: Buffer.from(after), description: `duplicate ${key}, last` };
}

/** Where the JSON value starting at `start` ends (strings skipped, brackets counted). */
function valueEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (depth === 0 && (c === ',' || c === '}' || c === ']')) return i;
    if (c === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 0) return i + 1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/**
 * Every bundle version against every entry and certificate shape, each once:
 * the version rules (v0.1 entries need a promise, later ones a checkpointed
 * proof, v0.3 has no chain) are too narrow for random mutation to hit often.
 */
export function versionVariants(bundle: Buffer): { bytes: Buffer; description: string }[] {
  const variants: { bytes: Buffer; description: string }[] = [];
  for (const mediaType of MEDIA_TYPES) {
    for (const dropped of ['nothing', 'inclusionProof', 'inclusionPromise', 'checkpoint']) {
      for (const chain of [false, true]) {
        const json = JSON.parse(bundle.toString()) as Json;
        json.mediaType = mediaType;
        for (const e of entries(json)) {
          if (dropped === 'checkpoint') delete (e.inclusionProof as Json | undefined)?.checkpoint;
          else delete e[dropped];
        }
        const m = material(json);
        if (chain) {
          m.x509CertificateChain = { certificates: [m.certificate] };
          delete m.certificate;
        }
        variants.push({
          bytes: Buffer.from(JSON.stringify(json)),
          description: `${mediaType}, entries without ${dropped}, ${chain ? 'a chain' : 'a certificate'}`,
        });
      }
    }
  }
  return variants;
}
