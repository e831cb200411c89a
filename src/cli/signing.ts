import { resolve } from 'node:path';
import { AamError } from '../core/errors.ts';
import type { Signing } from '../core/workflows/publish.ts';
import type { CommandContext } from './context.ts';
import type { CliIo } from './io.ts';

/** The options that say how to sign (publish, sign, delegate, approve, reject). */
export const SIGNING_OPTIONS = {
  'signing-method': { type: 'string', multiple: true },
  'gpg-key': { type: 'string', multiple: true },
  'identity-token': { type: 'string' },
  'signing-config': { type: 'string' },
  'sigstore-endpoint': { type: 'string' },
  'oidc-issuer': { type: 'string' },
  'oauth-force-oob': { type: 'boolean' },
  restricted: { type: 'boolean' },
} as const;

export const SIGNING_HELP = `Signing: --signing-method sigstore|gpg (repeat it to sign with both), --gpg-key KEY
(repeat it to sign with several keys; implies gpg), --identity-token TOKEN,
--signing-config FILE, --sigstore-endpoint URL (instead of sigstore_endpoint),
--oidc-issuer URL (instead of sigstore_oidc_issuer),
--oauth-force-oob (print the sign-in URL and read the code back, for SSH sessions
and containers; the default when no browser can open).
Sigstore instance: sigstore_endpoint and sigstore_oidc_issuer come from the global
config or these options only; a project config that sets another value is refused.
Sigstore identity: --identity-token, else $SIGSTORE_ID_TOKEN or the GitHub
Actions OIDC token, else a sign-in at the OIDC issuer.
--restricted: apply only the project settings that tighten the global policy
(as verify --restricted does), for CI runs of a repository's own config.
GPG passphrase: asked for on the terminal, or $AAM_GPG_PASSPHRASE.`;

export interface SigningValues {
  'signing-method'?: string[] | undefined;
  'gpg-key'?: string[] | undefined;
  'identity-token'?: string | undefined;
  'signing-config'?: string | undefined;
  'sigstore-endpoint'?: string | undefined;
  'oidc-issuer'?: string | undefined;
  'oauth-force-oob'?: boolean | undefined;
}

/** Whether the options ask for a signature at all (publish signs only when asked). */
export function asksToSign(values: SigningValues): boolean {
  return (values['signing-method']?.length ?? 0) > 0 || (values['gpg-key']?.length ?? 0) > 0;
}

/**
 * The signatures asked for, each once: every --signing-method, and GPG with
 * every --gpg-key (a key given means a GPG signature by it, whatever else is
 * asked); nothing given: the policy's signing_method. Nothing asked is
 * silently dropped, and nothing is signed twice with the same key.
 */
export function signingPlan(
  values: SigningValues,
  security: { signing_method: 'sigstore' | 'gpg'; gpg_key: string | undefined },
): ({ method: 'sigstore' } | { method: 'gpg'; key: string })[] {
  const methods = [...new Set(values['signing-method'] ?? [])];
  for (const method of methods)
    if (method !== 'sigstore' && method !== 'gpg')
      throw new AamError('USAGE', `--signing-method must be sigstore or gpg, not "${method}".`);
  const keys = values['gpg-key'] ?? [];
  const twice = keys.find((key, i) => keys.indexOf(key) !== i);
  if (twice) throw new AamError('USAGE', `--gpg-key ${twice} was given twice: each key signs once.`);
  if (methods.length === 0) methods.push(keys.length > 0 ? 'gpg' : security.signing_method);
  if (keys.length > 0 && !methods.includes('gpg')) methods.push('gpg');
  const sigstoreOnly = (
    ['identity-token', 'signing-config', 'sigstore-endpoint', 'oidc-issuer', 'oauth-force-oob'] as const
  ).filter((option) => values[option] !== undefined && values[option] !== false);
  if (sigstoreOnly.length > 0 && !methods.includes('sigstore'))
    throw new AamError('USAGE', `--${sigstoreOnly[0]} is for Sigstore signing, which was not asked for.`, {
      hint: 'Add --signing-method sigstore to sign with Sigstore too, or drop the option.',
    });
  const plan: ({ method: 'sigstore' } | { method: 'gpg'; key: string })[] = [];
  if (methods.includes('sigstore')) plan.push({ method: 'sigstore' });
  if (methods.includes('gpg')) {
    const gpgKeys = keys.length > 0 ? keys : security.gpg_key ? [security.gpg_key] : [];
    if (gpgKeys.length === 0)
      throw new AamError('KEY_NOT_FOUND', 'No GPG signing key is configured.', {
        hint: 'Pass --gpg-key KEY (a fingerprint or an address gpg knows), or set security.gpg_key in ~/.aam/config.yaml (aam config set does not know this key).',
      });
    for (const key of gpgKeys) plan.push({ method: 'gpg', key });
  }
  return plan;
}

/** Every signing the options ask for, ready to sign with. */
export async function signingsFor(io: CliIo, ctx: CommandContext, values: SigningValues): Promise<Signing[]> {
  const signings: Signing[] = [];
  for (const step of signingPlan(values, ctx.config.security)) signings.push(await signingOf(io, ctx, step, values));
  return signings;
}

/** The one signing of a command that signs once (approve, reject, delegate): several asked for is a usage error. */
export async function oneSigningFor(
  io: CliIo,
  ctx: CommandContext,
  values: SigningValues,
  command: string,
): Promise<Signing> {
  const plan = signingPlan(values, ctx.config.security);
  if (plan.length !== 1)
    throw new AamError('USAGE', `${command} signs with one key or identity; ${plan.length} were asked for.`, {
      hint: 'Pass one --signing-method, or one --gpg-key.',
    });
  return signingOf(io, ctx, plan[0]!, values);
}

async function signingOf(
  io: CliIo,
  ctx: CommandContext,
  step: { method: 'sigstore' } | { method: 'gpg'; key: string },
  values: SigningValues,
): Promise<Signing> {
  if (step.method === 'gpg') {
    const { signingKeySource } = await import('../core/openpgp/sign.ts');
    const { signingGpgHome } = await import('../core/sigstore/signing-instance.ts');
    const fromEnv = io.env.AAM_GPG_PASSPHRASE;
    return {
      method: 'gpg',
      keySource: signingKeySource(step.key, signingGpgHome(ctx.config, ctx.homeDir) ?? io.env.GNUPGHOME),
      prompt: async (label, retry) =>
        fromEnv !== undefined && !retry
          ? fromEnv
          : io.askSecret(`${retry ? 'Wrong passphrase. ' : ''}Passphrase for ${label}: `),
    };
  }
  const { signingSetting } = await import('../core/sigstore/signing-instance.ts');
  const { readSigningConfig, resolveEndpoints } = await import('../core/sigstore/endpoints.ts');
  const endpoints = values['signing-config']
    ? await readSigningConfig(resolve(io.cwd, values['signing-config']))
    : await resolveEndpoints(
        httpUrl(
          signingSetting(ctx.config, 'sigstore_endpoint', {
            value: values['sigstore-endpoint'],
            option: '--sigstore-endpoint',
          }),
          '--sigstore-endpoint',
        ),
      );
  const { ambientToken, staticToken } = await import('../core/sigstore/identity/providers.ts');
  // Run as a GitHub Actions step, a token fetched here is masked in the job log before anything could print it.
  const mask = (token: string, fetched: boolean) => {
    if (fetched && io.env.GITHUB_ACTIONS === 'true') io.stderr(`::add-mask::${token}\n`);
  };
  const given = values['identity-token'] ? staticToken(values['identity-token']) : ambientToken(io.env, mask);
  if (given) return { method: 'sigstore', endpoints, identityProvider: given };
  const issuer = signingSetting(ctx.config, 'sigstore_oidc_issuer', {
    value: httpUrl(values['oidc-issuer'], '--oidc-issuer'),
    option: '--oidc-issuer',
  });
  const { browserReachable, signInOutOfBand } = await import('../core/sigstore/identity/oob-flow.ts');
  if (values['oauth-force-oob'] || !browserReachable(io.env))
    return {
      method: 'sigstore',
      endpoints,
      identityProvider: {
        getToken: () =>
          signInOutOfBand({
            issuer,
            askCode: async (url) => {
              io.stderr(`→ Sign in to ${issuer} in a browser anywhere:\n  ${url}\n`);
              return io.askLine?.('  Then enter the verification code it shows: ');
            },
          }),
      },
    };
  const { signInWithBrowser } = await import('../core/sigstore/identity/oauth-flow.ts');
  return {
    method: 'sigstore',
    endpoints,
    identityProvider: {
      getToken: () =>
        signInWithBrowser({
          issuer,
          openUrl: async (url) => {
            io.stderr(
              `→ Opening browser for authentication...\n  If it does not open, visit: ${url}\n  (No browser here? Run again with --oauth-force-oob.)\n`,
            );
            await io.openUrl(url);
          },
        }),
    },
  };
}

/** A URL option or setting, checked before anything is sent to it. */
function httpUrl<T extends string | undefined>(value: T, option: string): T {
  if (value !== undefined && !/^https?:\/\/\S+$/.test(value))
    throw new AamError('USAGE', `${option} must be an http(s) URL, not "${value}".`);
  return value;
}
