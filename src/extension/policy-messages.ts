import type { ConfigEdit, ListItem } from '../core/config/config-edit.ts';
import { isLevelName } from '../core/config/levels.ts';
import type { ListKey, WebviewMessage } from '../webview/protocol.ts';

/**
 * The `security` keys the form's controls set, each with the values its
 * choice or checkbox offers, or `'text'` for a text field: the form
 * (webview/policy-fields.ts) offers exactly these, as a test checks.
 */
export const FORM_SETS: Record<string, readonly (string | boolean)[] | 'text'> = {
  require_signature: [true, false],
  verify_transparency_log: [true, false],
  trust_registry_attestations: [true, false],
  on_signature_failure: ['warn', 'error', 'ignore'],
  on_signer_change: ['error', 'warn'],
  signing_method: ['sigstore', 'gpg'],
  gpg_key: 'text',
  gpg_home: 'text',
  sigstore_endpoint: 'text',
  sigstore_oidc_issuer: 'text',
  sigstore_trusted_root: 'text',
};
/** The trust lists the form adds to and removes from: every ListKey, and only those. */
const LIST_KEYS: Record<ListKey, true> = {
  trusted_identities: true,
  trusted_keys: true,
  allowed_issuers: true,
  trusted_registries: true,
};
// Maps and sets: a key such as `__proto__` or `toString` finds nothing.
const SETS = new Map(Object.entries(FORM_SETS));
const LISTS = new Set(Object.keys(LIST_KEYS));

/**
 * A message from the policy form's webview, checked before the host acts on
 * it, or undefined. The page is not trusted to say what to write: only what
 * its controls can send gets through (a choice or checkbox set to a value it
 * offers, a text field set, a trust-list entry added or removed, a
 * `security` key reset), rebuilt from the checked fields, so a broken or
 * subverted page script cannot edit any other part of the config.
 */
export function formMessage(raw: unknown): WebviewMessage | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openText':
      if (raw.key === undefined) return { type: 'openText' };
      return typeof raw.key === 'string' ? { type: 'openText', key: raw.key } : undefined;
    case 'previewLevel':
    case 'applyLevel':
      return typeof raw.level === 'string' && isLevelName(raw.level) ? { type: raw.type, level: raw.level } : undefined;
    case 'add':
      return isListKey(raw.key) && isNewEntry(raw.key, raw.value)
        ? { type: 'add', key: raw.key, value: raw.value }
        : undefined;
    case 'edit': {
      const edit = formEdit(raw.edit);
      return edit && { type: 'edit', edit };
    }
    default:
      return undefined;
  }
}

function formEdit(raw: unknown): ConfigEdit | undefined {
  if (!isRecord(raw) || !Array.isArray(raw.path) || raw.path.length !== 2 || raw.path[0] !== 'security')
    return undefined;
  const key: unknown = raw.path[1];
  if (typeof key !== 'string') return undefined;
  const path = ['security', key];
  switch (raw.op) {
    case 'delete':
      // "Reset to inherited" is under every key the form shows: its own, the schema's, and any the file sets.
      return { op: 'delete', path };
    case 'set': {
      const offered = SETS.get(key);
      const value = raw.value;
      const ok =
        offered === 'text'
          ? typeof value === 'string' && value.trim() !== ''
          : (typeof value === 'string' || typeof value === 'boolean') && !!offered?.includes(value);
      return ok ? { op: 'set', path, value } : undefined;
    }
    case 'remove-from-list':
      return isListKey(key) && isEntry(raw.value) ? { op: 'remove-from-list', path, value: raw.value } : undefined;
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isListKey(key: unknown): key is ListKey {
  return typeof key === 'string' && LISTS.has(key);
}

/** An entry as the form removes it: its text, or the mapping it is written as (`{identity, issuer}`). */
function isEntry(value: unknown): value is ListItem {
  return (
    (typeof value === 'string' && value !== '') ||
    (isRecord(value) && Object.keys(value).length > 0 && Object.values(value).every((v) => typeof v === 'string'))
  );
}

/** An entry as the form adds it: text, or for an identity pinned to its issuer, `{identity, issuer}`. */
function isNewEntry(key: ListKey, value: unknown): value is ListItem {
  if (typeof value === 'string') return value.trim() !== '';
  return (
    key === 'trusted_identities' &&
    isRecord(value) &&
    Object.keys(value).sort().join() === 'identity,issuer' &&
    typeof value.identity === 'string' &&
    typeof value.issuer === 'string'
  );
}
