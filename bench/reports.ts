import { workspacePaths } from '../src/core/lockfile/paths.ts';
import { DEFAULT_POLICY } from '../src/core/policy/decision.ts';
import type { Checks, FailureMode } from '../src/core/policy/decision.ts';
import { reportOf } from '../src/core/verify/verdict/report.ts';
import type { PackageReport } from '../src/core/verify/verdict/report.ts';

/**
 * Verified reports of `count` packages for the benchmarks, decided under a
 * real policy (`*@example.com` trusted): every 50th edited after install,
 * every 10th signed by someone outside the domain; with `mixed`, also every
 * 17th unsigned and every 97th installed without verification.
 */
export function benchReports(
  count: number,
  options: { signers?: number; mixed?: boolean; onSignatureFailure?: FailureMode } = {},
): PackageReport[] {
  const workspace = workspacePaths('/work/project');
  const context = {
    policy: {
      ...DEFAULT_POLICY,
      trusted_identities: ['*@example.com'],
      on_signature_failure: options.onSignatureFailure ?? DEFAULT_POLICY.on_signature_failure,
    },
  };
  const signers = options.signers ?? count;
  return Array.from({ length: count }, (_, i) => {
    const who = i % signers;
    const checks: Checks = {
      name: `@bench/pkg-${String(i).padStart(5, '0')}`,
      integrity:
        i % 50 === 7
          ? { ok: false, code: 'FILES_MODIFIED', expected: 'a', actual: 'b', detail: 'prompts/main.md was changed' }
          : { ok: true },
      signature:
        options.mixed && i % 17 === 5
          ? { state: 'none' }
          : {
              state: 'valid',
              signer: {
                type: 'sigstore',
                identity: {
                  san: i % 10 === 3 ? `dev${who}@other.org` : `dev${who}@example.com`,
                  sanType: 'email',
                  issuer: 'https://oauth2.sigstore.dev/auth',
                },
                tlog: { logIndex: String(1000 + i), url: 'https://rekor.sigstore.dev', integratedTime: undefined },
                signedAt: '2026-11-22T08:00:00.000Z',
              },
            },
      ...(options.mixed && i % 97 === 11 ? { installedWithoutVerification: { at: '2026-12-01T10:00:00.000Z' } } : {}),
    };
    const result = {
      name: `@bench/pkg-${i}`,
      checks,
      archiveOrigin: `/srv/registry/packages/bench--pkg-${i}/versions/1.0.0.aam`,
      signatureFile: { type: 'sigstore' as const, file: '1.0.0.aam.sigstore.json', path: '/x' },
      evidence: {},
      at: String(Date.now() * 1e6),
      scan: undefined,
      registryChanges: [],
      deployed: [],
      continuity: [],
      signatureDigest: undefined,
      claims: [],
      hidden: [],
    };
    const summary = { version: '1.0.0', source: 'team', checksum: `sha256:${'a'.repeat(64)}`, fileCount: 2 };
    return reportOf(`@bench/pkg-${i}`, summary, result, context, workspace);
  });
}
