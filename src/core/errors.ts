/**
 * The one error family of the core. Every failure a user can act on has a
 * string code; the CLI and the extension turn codes into messages and actions.
 */
export type ErrorCode =
  // integrity and trust
  | 'CHECKSUM_MISMATCH'
  | 'FILES_MODIFIED'
  | 'SIGNATURE_INVALID'
  | 'UNTRUSTED_SIGNER'
  | 'UNSIGNED'
  | 'ISSUER_NOT_ALLOWED'
  | 'TLOG_MISSING'
  | 'KEY_UNKNOWN'
  | 'BUNDLE_INVALID'
  | 'TRUST_ROOT_INVALID'
  // archives and manifests
  | 'ARCHIVE_UNSAFE'
  | 'ARCHIVE_TOO_LARGE'
  | 'ARCHIVE_INVALID'
  | 'ARCHIVE_UNAVAILABLE'
  | 'MANIFEST_INVALID'
  | 'HIDDEN_CONTENT'
  // configuration
  | 'CONFIG_INVALID'
  | 'LOCKFILE_INVALID'
  // registries and installs
  | 'REGISTRY_NOT_FOUND'
  | 'REGISTRY_INVALID'
  | 'REGISTRY_BUSY'
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_AUTH'
  | 'REGISTRY_ERROR'
  | 'PACKAGE_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'VERSION_PENDING_APPROVAL'
  | 'VERSION_REJECTED'
  | 'APPROVAL_MISSING'
  | 'APPROVAL_REFUSED_NOT_APPROVER'
  | 'NOT_AN_OWNER'
  | 'TOKEN_SCOPE_MISSING'
  | 'VERSION_EXISTS'
  | 'SIGNATURE_REQUIRED'
  | 'PACKAGE_BLOCKED'
  | 'INSTALL_REFUSED'
  | 'NOT_INSTALLED'
  // signing
  | 'KEY_NOT_FOUND'
  | 'KEY_REFUSED'
  | 'PASSPHRASE_WRONG'
  | 'GPG_FAILED'
  | 'SIGSTORE_SERVICE'
  | 'IDENTITY_TOKEN'
  | 'OIDC_FLOW'
  // general
  | 'CANCELLED'
  | 'USAGE'
  | 'FILE_REFUSED'
  | 'IO';

export interface AamErrorOptions {
  /** What the user can do next. */
  hint?: string;
  cause?: unknown;
  expected?: string;
  actual?: string;
}

/**
 * Marks core errors, so `instanceof` holds across the extension's bundles
 * (the editor glue and the lazily loaded engine each carry this module).
 */
const BRAND = Symbol.for('aam-trust.AamError');

export class AamError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor(code: ErrorCode, message: string, options: AamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AamError';
    this.code = code;
    this.hint = options.hint;
    this.expected = options.expected;
    this.actual = options.actual;
  }
}

/** An install refused by the trust decision; `verdicts` say why, package by package. */
export class InstallRefusedError extends AamError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      AamError[Symbol.hasInstance](value) &&
      (value as AamError).code === 'INSTALL_REFUSED' &&
      Array.isArray((value as InstallRefusedError).verdicts)
    );
  }

  readonly verdicts: {
    name: string;
    version: string;
    verdict: {
      code: string;
      message: string;
      hint: string | undefined;
      expected?: string | undefined;
      actual?: string | undefined;
    };
  }[];

  constructor(message: string, verdicts: InstallRefusedError['verdicts'], hint: string | undefined) {
    super('INSTALL_REFUSED', message, { hint });
    this.verdicts = verdicts;
  }
}

export function isAamError(value: unknown, code?: ErrorCode): value is AamError {
  return value instanceof AamError && (code === undefined || value.code === code);
}

/** The message of anything thrown, for wrapping library errors. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
