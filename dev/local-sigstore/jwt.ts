import { createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** An ES256 signing key with its JWKS form. */
export interface JwtKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function jwk(key: JwtKey): JsonWebKey & { kid: string; alg: string; use: string } {
  return { ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: 'ES256', use: 'sig' };
}

export function signJwt(key: JwtKey, claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: key.kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${header}.${payload}.${b64url(signature)}`;
}

export type JwtCheck = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

/** Verifies an ES256 JWT against the keys of its issuer, its audience and its lifetime. */
export function verifyJwt(
  token: string,
  keysFor: (issuer: string) => JsonWebKey[] | undefined,
  audience: string,
  now = Date.now(),
): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
  let header: { alg?: string; kid?: string };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString());
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString());
  } catch {
    return { ok: false, reason: 'malformed JWT' };
  }
  if (header.alg !== 'ES256') return { ok: false, reason: `unsupported algorithm ${String(header.alg)}` };
  const keys = typeof claims.iss === 'string' ? keysFor(claims.iss) : undefined;
  if (!keys) return { ok: false, reason: `unknown issuer ${String(claims.iss)}` };
  const key = keys.find((k) => (k as { kid?: string }).kid === header.kid) ?? keys[0];
  if (!key) return { ok: false, reason: 'issuer has no keys' };
  const valid = verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    { key: createPublicKey({ key, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(parts[2]!, 'base64url'),
  );
  if (!valid) return { ok: false, reason: 'bad signature' };
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(audience)) return { ok: false, reason: `audience is not ${audience}` };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < now) return { ok: false, reason: 'token expired' };
  return { ok: true, claims };
}

export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}
