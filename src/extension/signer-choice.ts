import * as vscode from 'vscode';
import { AamError } from '../core/errors.ts';
import type { LoadedConfig } from '../core/config/load.ts';
import type { Signing } from '../core/workflows/publish.ts';
import type { TrustModel } from './model.ts';
import type { SigstoreSession } from './sigstore-session.ts';

/**
 * How to sign, for Publish Signed and for approving a version: the method
 * (Sigstore or GPG), the GPG key when it is GPG, and whom the signature
 * will name, shown to the user before anything is signed. The signing
 * libraries load on first use.
 */
export async function chooseSigner(
  config: LoadedConfig,
  model: TrustModel,
  session: SigstoreSession,
): Promise<
  { method: 'sigstore' | 'gpg'; gpgKey: string | undefined; gpgHome: string | undefined; signer: string } | undefined
> {
  const method = await pickMethod(config);
  if (!method) return undefined;
  // The folder whose gpg.conf gpg reads when it looks for a secret key: as signing decides it (signing-instance.ts).
  const { signingGpgHome } = await import('../core/sigstore/signing-instance.ts');
  const gpgHome = signingGpgHome(config, model.homeDir) ?? process.env.GNUPGHOME;
  const gpgKey = method === 'gpg' ? (config.security.gpg_key ?? (await pickGpgKey(gpgHome))) : undefined;
  if (method === 'gpg' && !gpgKey) return undefined;
  const signer =
    method === 'sigstore'
      ? await sigstoreSigner(session, (await sigstoreInstance(config)).issuer)
      : await gpgSigner(gpgKey!, gpgHome);
  return { method, gpgKey, gpgHome, signer };
}

async function pickMethod(config: LoadedConfig): Promise<'sigstore' | 'gpg' | undefined> {
  const preferred = config.security.signing_method;
  const items = [
    {
      label: 'Sigstore',
      description: preferred === 'sigstore' ? vscode.l10n.t('default') : '',
      detail: vscode.l10n.t('Keyless: sign in with your identity provider; recorded in a transparency log'),
      method: 'sigstore' as const,
    },
    {
      label: 'GPG',
      description: preferred === 'gpg' ? vscode.l10n.t('default') : '',
      detail: vscode.l10n.t(
        'Sign with your OpenPGP key{0}',
        config.security.gpg_key ? ` (${config.security.gpg_key})` : '',
      ),
      method: 'gpg' as const,
    },
  ].sort((a) => (a.method === preferred ? -1 : 1));
  return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Sign with') }))?.method;
}

/** Who a Sigstore signature will name: the signed-in identity, or whoever signs in next. */
async function sigstoreSigner(session: SigstoreSession, issuer: string): Promise<string> {
  if (process.env.SIGSTORE_ID_TOKEN) {
    const { tokenIdentity } = await import('../core/sigstore/identity/token.ts');
    try {
      return vscode.l10n.t('{0} (from SIGSTORE_ID_TOKEN)', tokenIdentity(process.env.SIGSTORE_ID_TOKEN).identity);
    } catch {
      return vscode.l10n.t('the identity in SIGSTORE_ID_TOKEN');
    }
  }
  const current = await session.current(issuer);
  return current
    ? vscode.l10n.t('{0} (signed in at {1})', current.identity, issuer)
    : vscode.l10n.t('the identity you sign in with at {0} (a browser opens)', issuer);
}

/** The OpenPGP key that will sign, by user id and full fingerprint. */
async function gpgSigner(gpgKey: string, gpgHome: string | undefined): Promise<string> {
  const { signingKeySource } = await import('../core/openpgp/sign.ts');
  const source = signingKeySource(gpgKey, gpgHome);
  if (source.kind === 'file') return vscode.l10n.t('the secret key in {0}', source.path);
  const { findSecretKey } = await import('../core/openpgp/gnupg.ts');
  const key = await findSecretKey(gpgHome, gpgKey);
  return `${key.userIds[0] ?? gpgKey} (${key.fingerprint})`;
}

/** What signs: a Sigstore identity provider (sign-in), or the GPG key with a passphrase prompt. */
export async function signingFor(
  method: 'sigstore' | 'gpg',
  config: LoadedConfig,
  session: SigstoreSession,
  token: vscode.CancellationToken,
  gpgKey: string | undefined,
  gpgHome: string | undefined,
): Promise<Signing> {
  if (method === 'sigstore') {
    const { resolveEndpoints } = await import('../core/sigstore/endpoints.ts');
    const { endpoint, issuer } = await sigstoreInstance(config);
    return {
      method,
      endpoints: await resolveEndpoints(endpoint),
      identityProvider: session.identityProvider(issuer, token),
    };
  }
  const { signingKeySource } = await import('../core/openpgp/sign.ts');
  if (!gpgKey) throw new AamError('CANCELLED', 'No signing key chosen.');
  return {
    method,
    keySource: signingKeySource(gpgKey, gpgHome),
    prompt: async (label, retry) =>
      vscode.window.showInputBox({
        password: true,
        ignoreFocusOut: true,
        title: vscode.l10n.t('GPG passphrase'),
        prompt: retry
          ? vscode.l10n.t('Wrong passphrase. Passphrase for {0}', label)
          : vscode.l10n.t('Passphrase for {0}', label),
      }),
  };
}

/**
 * The Sigstore instance to sign with: the global config's (a project config that
 * names another is refused, before anything is shown or sent, as the CLI does).
 */
async function sigstoreInstance(config: LoadedConfig): Promise<{ endpoint: string | undefined; issuer: string }> {
  const { signingSetting } = await import('../core/sigstore/signing-instance.ts');
  return {
    endpoint: signingSetting(config, 'sigstore_endpoint'),
    issuer: signingSetting(config, 'sigstore_oidc_issuer'),
  };
}

async function pickGpgKey(gpgHome: string | undefined): Promise<string | undefined> {
  const { runGpg, parseColons } = await import('../core/openpgp/gnupg.ts');
  const result = await runGpg(['--with-colons', '--list-secret-keys'], { gpgHome });
  const keys = parseColons(result.stdout.toString('utf8'), 'sec');
  if (keys.length === 0) {
    throw new AamError('KEY_NOT_FOUND', vscode.l10n.t('No GPG secret key found{0}.', gpgHome ? ` in ${gpgHome}` : ''), {
      hint: vscode.l10n.t('Create one with "gpg --full-generate-key", or set security.gpg_key.'),
    });
  }
  if (keys.length === 1) return keys[0]!.fingerprint;
  return (
    await vscode.window.showQuickPick(
      keys.map((k) => ({ label: k.userIds[0] ?? k.fingerprint, description: k.fingerprint, key: k })),
      { title: vscode.l10n.t('Sign with which key?') },
    )
  )?.key.fingerprint;
}
