import { createHash } from 'node:crypto';
import { readKeys } from 'openpgp';
import type { Key } from 'openpgp';
import { AamError, messageOf } from '../errors.ts';
import { normalizeFingerprint } from '../policy/identity.ts';
import { withinBounds } from './bounds.ts';
import { boundUserIds, emailOf } from './user-ids.ts';

/**
 * Finding an OpenPGP public key (seeds: "Use keyservers for key discovery"),
 * as GnuPG's `--auto-key-locate wkd,keyserver` does: by email through the
 * Web Key Directory of the address's domain, then a keyserver (HKP, or the
 * VKS API of keys.openpgp.org); by fingerprint through the keyserver. What a
 * server returns is input: a key is taken only when its fingerprint is the
 * one asked for, or it carries a user ID with the email asked for. Finding a
 * key never trusts it (trusted_keys does).
 */
export type KeyQuery = { kind: 'email'; email: string } | { kind: 'fingerprint'; fingerprint: string };

export interface FoundKey {
  fingerprint: string;
  userIds: string[];
  armored: string;
  /** Where it came from: the URL asked, and how. */
  source: string;
  method: 'wkd' | 'hkp' | 'vks';
  /**
   * Other keys in the same answer that also answer the query, not imported:
   * a keyserver serves every key anyone uploaded for an address, and the one
   * taken first may be anyone's (keys2-review F5). Each is named, so the user
   * can tell there was a choice.
   */
  others: { fingerprint: string; userIds: string[] }[];
}

export interface DiscoveryOptions {
  /** The `keyserver` setting: `hkps://host`, `hkp://host[:port]` (HKP), or `https://host` / `http://host` (VKS). */
  keyserver?: string | undefined;
  /** Where a domain's Web Key Directory is asked (default its two standard places); tests and private mirrors replace it. */
  wkdOrigins?: (domain: string) => string[];
  timeoutMs?: number;
}

/**
 * The options for a lookup: the `keyserver` setting, and `AAM_WKD_ORIGIN`, a
 * Web Key Directory that answers for every domain (a private mirror, or a
 * test's server on 127.0.0.1: the real directories need DNS names).
 */
export function discoveryOptions(
  keyserver: string | undefined,
  env: Record<string, string | undefined>,
): DiscoveryOptions {
  const wkd = env.AAM_WKD_ORIGIN?.replace(/\/+$/, '');
  return { keyserver, ...(wkd ? { wkdOrigins: () => [wkd] } : {}) };
}

export function parseKeyQuery(text: string): KeyQuery {
  const trimmed = text.trim();
  const fingerprint = normalizeFingerprint(trimmed.replace(/^0x/i, ''));
  if (fingerprint) return { kind: 'fingerprint', fingerprint };
  if (/^(0x)?[0-9a-f]{8,16}$/i.test(trimmed))
    throw new AamError('USAGE', `"${trimmed}" is a short key id, which anyone can forge a key for.`, {
      hint: 'Give the full 40-hex-digit fingerprint, or an email address.',
    });
  if (/^[^\s@<>]+@[^\s@<>]+$/.test(trimmed)) {
    const domain = trimmed.slice(trimmed.lastIndexOf('@') + 1);
    // The domain names the Web Key Directory's host and path: a "/", "?", "#", ":" or ".." would send it elsewhere.
    if (DNS_NAME.test(domain)) return { kind: 'email', email: trimmed };
    throw new AamError('USAGE', `"${trimmed}" is not an email address: "${domain}" is not a domain name.`, {
      hint: 'Give an address such as name@example.com (an internationalised domain in its xn-- form).',
    });
  }
  throw new AamError('USAGE', `"${trimmed}" is neither an email address nor a 40-hex-digit fingerprint.`);
}

/** A DNS name of two labels or more (letters, digits, inner hyphens), without a final dot; the last starts with a letter. */
const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** The z-base-32 SHA-1 of an email's local part, lower-cased: its name in a Web Key Directory. */
export function wkdHash(localPart: string): string {
  const alphabet = 'ybndrfg8ejkmcpqxot1uwisza345h769';
  const bytes = createHash('sha1').update(localPart.toLowerCase()).digest();
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}

/** The URLs a query is asked at, in order, with how each answers. */
export function lookupUrls(query: KeyQuery, options: DiscoveryOptions): { url: string; method: FoundKey['method'] }[] {
  const urls: { url: string; method: FoundKey['method'] }[] = [];
  if (query.kind === 'email') {
    const at = query.email.lastIndexOf('@');
    const local = query.email.slice(0, at);
    const domain = query.email.slice(at + 1).toLowerCase();
    const hash = wkdHash(local);
    const origins = options.wkdOrigins?.(domain);
    if (origins)
      for (const origin of origins)
        urls.push({
          url: `${origin}/.well-known/openpgpkey/${domain}/hu/${hash}?l=${encodeURIComponent(local)}`,
          method: 'wkd',
        });
    else
      urls.push(
        {
          url: `https://openpgpkey.${domain}/.well-known/openpgpkey/${domain}/hu/${hash}?l=${encodeURIComponent(local)}`,
          method: 'wkd',
        },
        { url: `https://${domain}/.well-known/openpgpkey/hu/${hash}?l=${encodeURIComponent(local)}`, method: 'wkd' },
      );
  }
  const server = options.keyserver?.replace(/\/+$/, '');
  if (server) {
    const hkp = /^hkps?:\/\//.exec(server);
    if (hkp) {
      const base = server.startsWith('hkps://')
        ? `https://${server.slice('hkps://'.length)}`
        : `http://${server.slice('hkp://'.length)}${/:\d+$/.test(server.slice('hkp://'.length)) ? '' : ':11371'}`;
      const search = query.kind === 'email' ? query.email : `0x${query.fingerprint}`;
      urls.push({ url: `${base}/pks/lookup?op=get&options=mr&search=${encodeURIComponent(search)}`, method: 'hkp' });
    } else
      urls.push({
        url:
          query.kind === 'email'
            ? `${server}/vks/v1/by-email/${encodeURIComponent(query.email)}`
            : `${server}/vks/v1/by-fingerprint/${query.fingerprint}`,
        method: 'vks',
      });
  }
  return urls;
}

/**
 * Why a key does not answer the query, or undefined when it does. An email
 * counts only on a user ID the key vouches for (self-signed, not revoked):
 * anyone can append a user ID packet to any key.
 */
async function mismatch(key: Key, query: KeyQuery): Promise<string | undefined> {
  const fingerprint = key.getFingerprint().toUpperCase();
  if (query.kind === 'fingerprint')
    return fingerprint === query.fingerprint ? undefined : `it returned key ${fingerprint}, not ${query.fingerprint}`;
  const wanted = query.email.toLowerCase();
  if ((await boundUserIds(key)).some((uid) => emailOf(uid) === wanted)) return undefined;
  const unbound = key.getUserIDs().some((uid) => emailOf(uid) === wanted);
  return `it returned key ${fingerprint}, which has no user ID with ${query.email}${unbound ? ' (the one it lists is not signed by the key, or was revoked)' : ''}`;
}

/** At most this much is read of an answer: a key with its signatures is a few kilobytes. */
const MAX_ANSWER = 1024 * 1024;

/** The body of a response, or undefined when it is larger than `limit` bytes: reading stops there. */
async function readBounded(response: Response, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit || !response.body) {
    await response.body?.cancel();
    return declared > limit ? undefined : new Uint8Array();
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
}

/**
 * Asks each place in turn; the first key that answers the query is the one.
 * A place that returns another key is refused with why, and the next one is
 * asked; when none answers, the error says what each place did.
 */
export async function discoverKey(
  query: KeyQuery,
  options: DiscoveryOptions,
): Promise<{ found: FoundKey; tried: string[] }> {
  const tried: string[] = [];
  let refused = false;
  let unreachable = 0; // sources that gave no answer at all (no network, no DNS, refused, timed out)
  for (const { url, method } of lookupUrls(query, options)) {
    let body: Uint8Array;
    try {
      const response = await fetch(url, {
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
      if (!response.ok) {
        await response.body?.cancel();
        tried.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      const bounded = await readBounded(response, MAX_ANSWER);
      if (!bounded) {
        tried.push(`${url}: refused, more than 1 MB`);
        continue;
      }
      body = bounded;
    } catch (error) {
      tried.push(`${url}: ${messageOf(error)}${causeOf(error)}`);
      unreachable++;
      continue;
    }
    let keys: Key[];
    try {
      const text = Buffer.from(body).toString('utf8');
      keys = text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')
        ? await readKeys({ armoredKeys: text })
        : await readKeys({ binaryKeys: body });
    } catch (error) {
      tried.push(`${url}: not an OpenPGP key (${messageOf(error)})`);
      continue;
    }
    // Bounded before any of its signatures is checked (mismatch reads the user IDs each self-signature binds).
    const bounded = withinBounds(keys);
    if (bounded.refused.length > 0) tried.push(...bounded.refused.map((why) => `${url}: refused: ${why}`));
    keys = bounded.kept;
    const reasons = await Promise.all(keys.map((key) => mismatch(key, query)));
    const match = keys.find((_, i) => !reasons[i]);
    if (!match) {
      refused = true;
      tried.push(`${url}: refused: ${reasons.join('; ')}`);
      continue;
    }
    const key = match.isPrivate() ? match.toPublic() : match;
    const others = keys.filter((other, i) => !reasons[i] && other.getFingerprint() !== match.getFingerprint());
    return {
      found: {
        fingerprint: key.getFingerprint().toUpperCase(),
        userIds: await boundUserIds(key),
        armored: key.armor(),
        source: url,
        method,
        others: await Promise.all(
          others.map(async (other) => ({
            fingerprint: other.getFingerprint().toUpperCase(),
            userIds: await boundUserIds(other),
          })),
        ),
      },
      tried,
    };
  }
  const asked = query.kind === 'email' ? query.email : query.fingerprint;
  if (tried.length === 0)
    throw new AamError('KEY_NOT_FOUND', `Nowhere to look for ${asked}: a fingerprint is looked up on a keyserver.`, {
      hint: 'Set security.keyserver (hkps://keyserver.ubuntu.com, https://keys.openpgp.org) or pass --keyserver.',
    });
  // Every source unreachable is not "no key": the lookup never happened (newuser-review 9).
  const offline = !refused && unreachable === tried.length;
  throw new AamError(
    refused ? 'KEY_REFUSED' : 'KEY_NOT_FOUND',
    `${refused ? 'Refused' : offline ? 'No key source could be reached' : 'No key found'} for ${asked}:\n${tried.map((t) => `  ${t}`).join('\n')}`,
    {
      hint: refused
        ? 'A key that does not answer what was asked is never imported. Check the address or fingerprint with its owner.'
        : offline
          ? 'Check the network (and a proxy) and try again, or import the key from a file its owner gives you (aam-trust keys import).'
          : 'Check the address or fingerprint, or import the key from a file its owner gives you (aam-trust keys import).',
    },
  );
}

/** What a failed fetch says beneath "fetch failed": connection refused, a name that does not resolve. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : '';
}
