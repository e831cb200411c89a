import { spawn } from 'node:child_process';
import { AamError } from '../errors.ts';

export interface GpgResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs `gpg` in batch mode against a GnuPG home; never through a shell. */
export async function runGpg(
  args: string[],
  options: { gpgHome?: string | undefined; input?: string | Uint8Array } = {},
): Promise<GpgResult> {
  const base = ['--batch', '--no-tty', '--quiet'];
  if (options.gpgHome) base.push('--homedir', options.gpgHome);
  return new Promise((resolve, reject) => {
    const child = spawn('gpg', [...base, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (error) =>
      reject(
        new AamError('GPG_FAILED', `Cannot run gpg: ${error.message}.`, {
          hint: 'Install GnuPG, or use an armored key file for gpg_key.',
          cause: error,
        }),
      ),
    );
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    // gpg may exit before reading its input (a missing key, say); the exit status tells what happened.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export interface GpgKeyInfo {
  fingerprint: string;
  userIds: string[];
}

/** The secret key matching `query` (id, fingerprint or email), or KEY_NOT_FOUND. */
export async function findSecretKey(gpgHome: string | undefined, query: string): Promise<GpgKeyInfo> {
  const result = await runGpg(['--with-colons', '--list-secret-keys', '--', query], { gpgHome });
  const keys = parseColons(result.stdout.toString('utf8'), 'sec');
  if (result.code !== 0 || keys.length === 0) {
    throw new AamError('KEY_NOT_FOUND', `GPG key '${query}' not found${gpgHome ? ` in ${gpgHome}` : ''}.`, {
      hint: 'List your keys with "gpg --list-secret-keys", then set security.gpg_key to the right key id, fingerprint or email.',
    });
  }
  if (keys.length > 1) {
    throw new AamError(
      'KEY_NOT_FOUND',
      `GPG key '${query}' is ambiguous: it matches ${keys.map((k) => k.fingerprint).join(', ')}.`,
      {
        hint: 'Set security.gpg_key to the full fingerprint of the key to sign with.',
      },
    );
  }
  return keys[0]!;
}

/** Parses `gpg --with-colons` output into keys of record type `kind` (pub or sec). */
export function parseColons(text: string, kind: 'pub' | 'sec'): GpgKeyInfo[] {
  const keys: GpgKeyInfo[] = [];
  let current: GpgKeyInfo | undefined;
  let expectFingerprint = false;
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === kind) {
      current = { fingerprint: '', userIds: [] };
      keys.push(current);
      expectFingerprint = true;
    } else if (fields[0] === 'fpr' && current && expectFingerprint) {
      current.fingerprint = fields[9] ?? '';
      expectFingerprint = false;
    } else if (fields[0] === 'uid' && current) {
      current.userIds.push(unescapeColons(fields[9] ?? ''));
    } else if (fields[0] === 'ssb' || fields[0] === 'sub') {
      expectFingerprint = false;
    }
  }
  return keys;
}

function unescapeColons(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Exports a secret key, still protected by its passphrase, so openpgp can
 * sign in-process. gpg asks for the passphrase through loopback pinentry.
 */
export async function exportSecretKey(
  gpgHome: string | undefined,
  fingerprint: string,
  passphrase: string,
): Promise<string> {
  const result = await runGpg(
    ['--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--armor', '--export-secret-keys', '--', fingerprint],
    { gpgHome, input: `${passphrase}\n` },
  );
  const armored = result.stdout.toString('utf8');
  if (result.code === 0 && armored.includes('PRIVATE KEY BLOCK')) return armored;
  if (/bad passphrase|no passphrase|passphrase/i.test(result.stderr)) {
    throw new AamError('PASSPHRASE_WRONG', `The passphrase for GPG key ${fingerprint} is wrong.`, {
      hint: 'Try again with the passphrase of that key.',
    });
  }
  throw new AamError(
    'GPG_FAILED',
    `gpg could not export key ${fingerprint}: ${result.stderr.trim().split('\n').pop() ?? `exit ${result.code}`}.`,
  );
}

/** Armored public keys from GnuPG that hold any of these (sub)key ids or fingerprints; empty when none. */
export async function exportPublicKey(
  gpgHome: string | undefined,
  keyIds: string | readonly string[],
): Promise<string> {
  const ids = typeof keyIds === 'string' ? [keyIds] : keyIds;
  if (ids.length === 0) return '';
  const result = await runGpg(['--armor', '--export', '--', ...ids], { gpgHome });
  return result.code === 0 ? result.stdout.toString('utf8') : '';
}
