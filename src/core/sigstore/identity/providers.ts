import type { IdentityProvider } from '@sigstore/sign';
import { AamError } from '../../errors.ts';

/** A fixed token (from --identity-token or SIGSTORE_ID_TOKEN). */
export function staticToken(token: string): IdentityProvider {
  return { getToken: async () => token };
}

/**
 * Told of each token an ambient provider hands out, before anything uses it (a
 * CI log masks it from then on); `fetched` when it came from GitHub Actions'
 * OIDC endpoint, not from SIGSTORE_ID_TOKEN.
 */
export type TokenSeen = (token: string, fetched: boolean) => void;

/**
 * An ambient CI token: SIGSTORE_ID_TOKEN, or GitHub Actions' OIDC endpoint
 * (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN) with audience "sigstore".
 */
export function ambientToken(
  env: Record<string, string | undefined> = process.env,
  seen: TokenSeen = () => undefined,
): IdentityProvider | undefined {
  const given = env.SIGSTORE_ID_TOKEN;
  if (given)
    return {
      getToken: async () => {
        seen(given, false);
        return given;
      },
    };
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !bearer) return undefined;
  return {
    async getToken() {
      const request = new URL(url);
      request.searchParams.set('audience', 'sigstore');
      const response = await fetch(request, {
        headers: { authorization: `Bearer ${bearer}` },
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json().catch(() => ({}))) as { value?: string };
      if (!response.ok || !body.value)
        throw new AamError('IDENTITY_TOKEN', `GitHub Actions did not issue an ID token (HTTP ${response.status}).`, {
          hint: 'Give the workflow "permissions: id-token: write".',
        });
      seen(body.value, true);
      return body.value;
    },
  };
}
