import { resolve } from 'node:path';
import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError } from '../../core/errors.ts';
import { publishPackage } from '../../core/workflows/publish.ts';
import type { Signing } from '../../core/workflows/publish.ts';
import { findRegistry } from '../../core/registry/open.ts';
import { configPath } from '../../core/signature/verifier.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import type { CommandContext } from '../context.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const PUBLISH_HELP = `Usage: aam-trust publish [DIR] [--registry NAME] [--sign] [--signing-method sigstore|gpg]
                         [--gpg-key KEY] [--identity-token TOKEN] [--signing-config FILE]
                         [--confirm-name PACKAGE] [--json]

Packs DIR (default: the current folder), signs it when --sign is given, and
publishes it to a local registry with the signature stored beside the archive.

Sigstore identity: --identity-token, else $SIGSTORE_ID_TOKEN or the GitHub
Actions OIDC token, else a browser sign-in at sigstore_oidc_issuer.
GPG passphrase: asked for on the terminal, or $AAM_GPG_PASSPHRASE.

An HTTP registry refuses a new name that passes for a popular package's
(a few edits away, other separators, another scope), naming it; when the
likeness is not meant, --confirm-name PACKAGE says so and publishes.`;

/** The options that say how to sign (publish, approve, reject). */
export const SIGNING_OPTIONS = {
  'signing-method': { type: 'string' },
  'gpg-key': { type: 'string' },
  'identity-token': { type: 'string' },
  'signing-config': { type: 'string' },
} as const;

/** --signing-method, else GPG when --gpg-key names a key; undefined leaves it to the policy's signing_method. */
export function signingMethodOf(values: {
  'signing-method'?: string | undefined;
  'gpg-key'?: string | undefined;
}): 'sigstore' | 'gpg' | undefined {
  const method = values['signing-method'];
  if (method !== undefined && method !== 'sigstore' && method !== 'gpg')
    throw new AamError('USAGE', `--signing-method must be sigstore or gpg, not "${method}".`);
  return method ?? (values['gpg-key'] ? 'gpg' : undefined);
}

export async function publishCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('publish', argv, {
    ...COMMON,
    ...SIGNING_OPTIONS,
    registry: { type: 'string' },
    sign: { type: 'boolean' },
    'confirm-name': { type: 'string' },
  });
  if (values.help) {
    io.stdout(`${PUBLISH_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new AamError('USAGE', 'publish takes at most one package folder.');
  const method = signingMethodOf(values);
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const registry = findRegistry(ctx.config.registries, values.registry, { homeDir: io.homeDir, env: io.env });
  const signing =
    values.sign || method !== undefined
      ? await signingFor(io, ctx, method ?? ctx.config.security.signing_method, values)
      : undefined;
  const outcome = await publishPackage({
    packageDir: resolve(io.cwd, positionals[0] ?? '.'),
    registry,
    signing,
    verifier: ctx.verifier,
    hiddenContent: ctx.config.security.hidden_content,
    onLine: values.json ? undefined : (line) => io.stdout(`${line}\n`),
    confirmName: values['confirm-name'],
  });
  if (values.json) io.stdout(`${JSON.stringify(outcome, null, 2)}\n`);
  return EXIT.ok;
}

/** How to sign (a publish, an approval): GPG with the configured or given key, or Sigstore keyless. */
export async function signingFor(
  io: CliIo,
  ctx: CommandContext,
  method: 'sigstore' | 'gpg',
  values: {
    'gpg-key'?: string | undefined;
    'identity-token'?: string | undefined;
    'signing-config'?: string | undefined;
  },
): Promise<Signing> {
  const security = ctx.config.security;
  if (method === 'gpg') {
    const { signingKeySource } = await import('../../core/openpgp/sign.ts');
    const key = values['gpg-key'] ?? security.gpg_key;
    if (!key)
      throw new AamError('KEY_NOT_FOUND', 'No GPG signing key is configured.', {
        hint: 'Pass --gpg-key, or set security.gpg_key (aam config set security.gpg_key alice@example.com).',
      });
    const fromEnv = io.env.AAM_GPG_PASSPHRASE;
    return {
      method: 'gpg',
      keySource: signingKeySource(key, configPath(ctx.config, 'gpg_home', ctx.homeDir) ?? io.env.GNUPGHOME),
      prompt: async (label, retry) =>
        fromEnv !== undefined && !retry
          ? fromEnv
          : io.askSecret(`${retry ? 'Wrong passphrase. ' : ''}Passphrase for ${label}: `),
    };
  }
  const { readSigningConfig, resolveEndpoints } = await import('../../core/sigstore/endpoints.ts');
  const endpoints = values['signing-config']
    ? await readSigningConfig(resolve(io.cwd, values['signing-config']))
    : await resolveEndpoints(security.sigstore_endpoint);
  const { ambientToken, staticToken } = await import('../../core/sigstore/identity/providers.ts');
  const given = values['identity-token'] ? staticToken(values['identity-token']) : ambientToken(io.env);
  if (given) return { method: 'sigstore', endpoints, identityProvider: given };
  const { signInWithBrowser } = await import('../../core/sigstore/identity/oauth-flow.ts');
  return {
    method: 'sigstore',
    endpoints,
    identityProvider: {
      getToken: () =>
        signInWithBrowser({
          issuer: security.sigstore_oidc_issuer,
          openUrl: async (url) => {
            io.stderr(`→ Opening browser for authentication...\n  If it does not open, visit: ${url}\n`);
            await io.openUrl(url);
          },
        }),
    },
  };
}
