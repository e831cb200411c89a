import { inClearText } from '../model/loopback.ts';
import { AamError } from '../errors.ts';

/**
 * Registry URLs as credentials see them: a token is bound to the URL it was
 * issued for (as npm binds `//host/path/:_authToken`), and travels in clear
 * text only to this machine.
 */

/** The URL as compared: scheme, host and port (default ports dropped), path without trailing slashes. */
export function registryUrlKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url.replace(/\/+$/, '');
  }
}

export function sameRegistryUrl(a: string, b: string): boolean {
  return registryUrlKey(a) === registryUrlKey(b);
}

export { isLoopbackUrl } from '../model/loopback.ts';

/**
 * Refuses to send `what` (a token, a password) to `url` over plain http to
 * another host: the spec's §9.1 asks HTTPS of every registry endpoint, and a
 * bearer token read on the way is as good as the account.
 */
export function assertCredentialTransport(registry: string, url: string, what = 'an API token'): void {
  if (!inClearText(url)) return;
  throw new AamError(
    'REGISTRY_AUTH',
    `Registry "${registry}" is at ${url}: plain http to another host, so ${what} is not sent (anyone on the way could read it).`,
    {
      hint: `Use the registry's https:// URL in the config (the HTTP registry spec, §9.1: all endpoints MUST use HTTPS); plain http is for a registry on this machine (localhost, 127.0.0.1, ::1).`,
      expected: 'https://…, or http:// on this machine',
      actual: url,
    },
  );
}
