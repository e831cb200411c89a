import type { DeployedCopy } from '../../deploy/check.ts';
import type { Checks, Verdict } from '../../policy/decision.ts';
import { describeChain } from '../../policy/delegation.ts';
import { whyStanding } from '../../policy/signed.ts';
import { stateWords } from '../checks/deployed-failure.ts';

/** One line of evidence, as the Verification view and the CLI show it. */
export interface CheckRow {
  id:
    | 'checksum'
    | 'files'
    | 'deployed'
    | 'signature'
    | 'identity'
    | 'tlog'
    | 'signed-at'
    | 'registry'
    | 'source'
    | 'attestation'
    | 'eval-results';
  /** For a deployed copy: the file or folder it is about (the view opens it). */
  path?: string;
  state: 'ok' | 'fail' | 'warn' | 'info' | 'skipped';
  label: string;
  detail: string;
  /** A signing key that is not in the keyring (fingerprint or key id): the row offers to fetch it. */
  key?: string | undefined;
}

/** What the rows say about where the evidence came from. */
export interface RowEvidence {
  /** The archive checksum the lock file records. */
  checksum: string;
  /** How many files the lock file records for the package (0: not recorded). */
  fileCount: number;
  /** Where the archive came from (registry path or cache), or why it is missing. */
  archiveOrigin: string;
}

/** One row per copy that agents load: where it is (relative to the project), and whether it is what was signed. */
export function deployedRows(copies: readonly DeployedCopy[], projectRoot = ''): CheckRow[] {
  return copies.map((copy) => {
    const where =
      projectRoot && copy.path.startsWith(`${projectRoot}/`) ? copy.path.slice(projectRoot.length + 1) : copy.path;
    return {
      id: 'deployed',
      state: copy.state === 'ok' ? 'ok' : copy.state === 'shadowed' ? 'info' : 'fail',
      label: `${copy.platform}: ${copy.type} ${copy.name}`,
      detail: `${copy.section ? `${where} § ${copy.section}` : where}${copy.state === 'ok' ? ' — matches the signed archive' : ` — ${stateWords(copy)}`}`,
      path: copy.path,
    };
  });
}

/** The rows the Verification view lists under a package: the archive, the installed files, each deployed copy, the signature. */
export function rowsFor(
  checks: Checks,
  verdict: Verdict,
  evidence: RowEvidence,
  signatureFile: { file: string } | undefined,
  deployed: readonly DeployedCopy[] = [],
  projectRoot = '',
): CheckRow[] {
  const rows = checkRows(checks, verdict, evidence, signatureFile);
  const files = rows.findIndex((r) => r.id === 'files');
  if (files >= 0) rows.splice(files + 1, 0, ...deployedRows(deployed, projectRoot));
  const attestation = checks.attestation;
  if (attestation)
    rows.push(
      attestation.state === 'valid'
        ? {
            id: 'attestation',
            state: verdict.code === 'ATTESTED' ? 'ok' : 'info',
            label: 'Registry attestation',
            detail: `Attested by ${attestation.registry} (key ${attestation.keyId.slice(0, 16)}…), published by ${attestation.publisher}`,
          }
        : {
            id: 'attestation',
            state: attestation.state === 'invalid' ? 'warn' : 'info',
            label: 'Registry attestation',
            detail: `${attestation.registry}: ${attestation.reason}`,
          },
    );
  return rows;
}

function checkRows(
  checks: Checks,
  verdict: Verdict,
  evidence: RowEvidence,
  signatureFile: { file: string } | undefined,
): CheckRow[] {
  const rows: CheckRow[] = [];
  const { integrity, signature } = checks;
  const deployedOnly = !integrity.ok && integrity.code === 'DEPLOYED_MODIFIED';
  if (!integrity.ok && !deployedOnly && integrity.code !== 'FILES_MODIFIED') {
    rows.push({
      id: 'checksum',
      state: 'fail',
      label: 'Checksum',
      detail: `expected ${integrity.expected}, got ${integrity.actual}`,
    });
    return rows;
  }
  rows.push({
    id: 'checksum',
    state: 'ok',
    label: 'Checksum',
    detail: `${evidence.checksum} (${evidence.archiveOrigin})`,
  });
  if (!integrity.ok && !deployedOnly) {
    rows.push({ id: 'files', state: 'fail', label: 'Installed files', detail: integrity.detail });
    return rows;
  }
  // With only deployed copies differing (rows of their own, after this one), the signature was still checked.
  rows.push({
    id: 'files',
    state: 'ok',
    label: 'Installed files',
    detail: `${evidence.fileCount || 'all'} files match`,
  });
  if (verdict.status === 'skipped') {
    rows.push({
      id: 'signature',
      state: 'skipped',
      label: 'Signature',
      detail: 'not verified (on_signature_failure: ignore)',
    });
    return rows;
  }
  if (signature.state === 'none') {
    rows.push({
      id: 'signature',
      state: verdict.code === 'UNSIGNED' && verdict.action === 'fail' ? 'fail' : 'info',
      label: 'Signature',
      detail: 'none',
    });
    return rows;
  }
  // Several signatures: one row each, judged on its own, and what they add up to.
  if (verdict.signatures.length > 1) return [...rows, ...signatureRows(verdict)];
  const kind =
    (signature.state === 'valid' ? signature.signer.type : signature.type) === 'sigstore' ? 'Sigstore' : 'OpenPGP';
  const file = signatureFile ? ` (${signatureFile.file})` : '';
  rows.push(
    signature.state === 'valid'
      ? {
          id: 'signature',
          state: verdict.code === 'ISSUER_NOT_ALLOWED' ? 'fail' : 'ok',
          label: `${kind} signature`,
          detail: `valid${file}`,
        }
      : {
          id: 'signature',
          state: verdict.action === 'fail' ? 'fail' : 'warn',
          label: `${kind} signature`,
          detail: `${signature.reason}${file}`,
        },
  );
  if (signature.state === 'invalid' && signature.code === 'KEY_UNKNOWN' && signature.key)
    rows.push(fetchKeyRow(signature.key));
  const signer = signature.state === 'valid' ? signature.signer : signature.signer;
  if (signer) {
    const who =
      signer.type === 'sigstore'
        ? `${signer.identity.san} (issuer ${signer.identity.issuer ?? 'unknown'})`
        : `${signer.userIds[0] ?? ''} ${signer.fingerprint}`.trim();
    // A verdict about something else (a deployed copy that was edited) says nothing against the signer.
    const state =
      !checks.integrity.ok || verdict.status === 'signed-no-policy'
        ? 'info'
        : verdict.status === 'verified'
          ? 'ok'
          : verdict.action === 'fail'
            ? 'fail'
            : 'warn';
    const standing = verdict.signatures[0]?.standing;
    const delegated = standing?.state === 'delegated' ? `${describeChain(standing.links)}, ` : '';
    const why = verdict.trustedBy
      ? `${delegated}trusted by "${verdict.trustedBy.pattern}"${verdict.trustedBy.source ? ` in ${verdict.trustedBy.source}` : ''}`
      : verdict.status === 'signed-no-policy'
        ? 'no trust policy'
        : verdict.code === 'UNTRUSTED_SIGNER'
          ? 'not trusted'
          : standing?.state === 'untrusted' && standing.refused
            ? `delegation refused: ${standing.refused}`
            : '';
    rows.push({ id: 'identity', state, label: 'Signer', detail: why ? `${who} — ${why}` : who });
    if (signer.type === 'sigstore') {
      rows.push(
        signer.tlog
          ? {
              id: 'tlog',
              state: 'ok',
              label: 'Transparency log',
              detail: `entry ${signer.tlog.logIndex}${signer.tlog.url ? ` in ${signer.tlog.url}` : ''}`,
            }
          : { id: 'tlog', state: 'info', label: 'Transparency log', detail: 'no entry' },
      );
    }
    if (signer.signedAt) rows.push({ id: 'signed-at', state: 'info', label: 'Signed at', detail: signer.signedAt });
  }
  return rows;
}

/** One row per signature (its kind, signer, why it counts or not, log entry, time, file), then the signers' sum. */
function signatureRows(verdict: Verdict): CheckRow[] {
  const rows = verdict.signatures.map((j): CheckRow => {
    const check = j.check;
    const kind =
      (check.state === 'valid' ? check.signer.type : check.state === 'invalid' ? check.type : '') === 'sigstore'
        ? 'Sigstore'
        : 'OpenPGP';
    const label = `${kind} signature`;
    if (check.state !== 'valid')
      return {
        id: 'signature',
        state: verdict.action === 'fail' ? 'fail' : 'warn',
        label,
        detail: `${check.state === 'invalid' ? check.reason : 'none'}${j.file ? ` (${j.file})` : ''}${check.state === 'invalid' && check.key ? ` — fetch key ${check.key}` : ''}`,
        ...(check.state === 'invalid' && check.code === 'KEY_UNKNOWN' && check.key ? { key: check.key } : {}),
      };
    const signer = check.signer;
    const who =
      signer.type === 'sigstore' ? signer.identity.san : `${signer.userIds[0] ?? ''} ${signer.fingerprint}`.trim();
    const why = whyStanding(j);
    const counts = j.standing.state === 'trusted' || j.standing.state === 'delegated';
    const tlog = signer.type === 'sigstore' && signer.tlog ? ` · log entry ${signer.tlog.logIndex}` : '';
    return {
      id: 'signature',
      state: counts
        ? 'ok'
        : j.standing.state === 'issuer-not-allowed'
          ? 'fail'
          : verdict.status === 'signed-no-policy' || verdict.action === 'pass'
            ? 'info'
            : 'warn',
      label,
      detail: `${who} — ${verdict.status === 'signed-no-policy' ? 'no trust policy' : why}${tlog}${signer.signedAt ? ` · ${signer.signedAt}` : ''}${j.file ? ` (${j.file})` : ''}`,
    };
  });
  const counted = verdict.signatures.filter((j) => j.standing.state === 'trusted' || j.standing.state === 'delegated');
  rows.push({
    id: 'identity',
    state: verdict.code === 'THRESHOLD_NOT_MET' ? 'fail' : verdict.status === 'verified' ? 'ok' : 'info',
    label: 'Signers',
    detail:
      verdict.code === 'THRESHOLD_NOT_MET'
        ? verdict.message
        : `${counted.length} trusted of ${verdict.signatures.length} signatures`,
  });
  return rows;
}

/** The row that offers to fetch a signing key the keyring does not have. */
function fetchKeyRow(key: string): CheckRow {
  return {
    id: 'signature',
    state: 'info',
    label: 'Fetch key',
    detail: `${key}: look it up (Web Key Directory, keyserver) and add it to the AAM keyring — aam-trust keys fetch ${key}`,
    key,
  };
}
