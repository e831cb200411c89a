import type { YamlPath, YamlRanges } from '../yaml/source.ts';
import { stringify } from 'yaml';
import { anchoredSuggestion, normalizeFingerprint, overBroadReason, parseIdentityPattern } from '../policy/identity.ts';
import type { ConfigDiagnostic, Severity } from './diagnostics.ts';
import { canonicalJson } from '../model/canonical-json.ts';

/**
 * Checks the schema cannot express: identity-pattern syntax, over-broad trust,
 * fingerprint duplicates, and settings that quietly weaken verification.
 */
export function semanticDiagnostics(source: YamlRanges, config: Record<string, unknown>): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const push = (path: YamlPath, severity: Severity, code: string, message: string, fix?: ConfigDiagnostic['fix']) =>
    out.push({ severity, code, message, range: source.valueRange(path), path, ...(fix ? { fix } : {}) });

  for (const path of protoKeys(config))
    out.push({
      severity: 'error',
      code: 'RESERVED_KEY',
      message:
        'A "__proto__" key is not a setting: JavaScript would read it as its mapping\'s prototype, and the settings a file leaves out would come from it. Remove it.',
      range: source.keyRange(path),
      path,
    });
  const security = asRecord(config.security);
  if (security) {
    identityPatterns(security.trusted_identities).forEach(([raw, path]) => {
      const parsed = parseIdentityPattern(raw);
      if (!parsed.ok)
        push(
          path,
          'error',
          'IDENTITY_INVALID',
          `"${raw}" ${parsed.reason}. It trusts no one until fixed.`,
          trimFix(raw),
        );
      else {
        const broad = overBroadReason(parsed.pattern);
        if (broad) push(path, 'warning', 'IDENTITY_BROAD', `${broad}.`);
      }
    });
    // Not the schema's uniqueItems: for entries that may be mappings, Ajv compares every pair, and a pull request's
    // list of 40,000 entries held the editor for seconds. A canonical text per entry is linear.
    const duplicate = lastDuplicate(security.trusted_identities);
    if (duplicate)
      push(
        ['security', 'trusted_identities', duplicate.at],
        'warning',
        'DUPLICATE_ENTRY',
        `security.trusted_identities lists the same entry twice (items ${duplicate.first + 1} and ${duplicate.at + 1}).`,
      );
    const seen = new Map<string, number>();
    strings(security.trusted_keys).forEach(([raw, i]) => {
      const normalized = normalizeFingerprint(raw);
      if (!normalized) return;
      const path = ['security', 'trusted_keys', i];
      const first = seen.get(normalized);
      if (first !== undefined)
        push(path, 'warning', 'FINGERPRINT_DUPLICATE', `This key is already listed as item ${first + 1}.`);
      else seen.set(normalized, i);
      if (normalized !== raw)
        push(
          path,
          'hint',
          'FINGERPRINT_FORMAT',
          'Fingerprint can be written as 40 upper-case hex digits without spaces.',
          { title: 'Normalise fingerprint', replacement: normalized },
        );
    });
    if (security.on_signature_failure === 'ignore') {
      push(
        ['security', 'on_signature_failure'],
        'warning',
        'POLICY_IGNORE',
        'on_signature_failure: ignore skips signature verification entirely: invalid and untrusted signatures pass unnoticed.',
      );
    }
    if (security.hidden_content === 'ignore') {
      push(
        ['security', 'hidden_content'],
        'warning',
        'POLICY_IGNORE',
        'hidden_content: ignore stops looking for hidden text in the files agents load, and lets packages with hidden content be published.',
      );
    }
    if (security.verify_transparency_log === false) {
      push(
        ['security', 'verify_transparency_log'],
        'warning',
        'POLICY_NO_TLOG',
        'Sigstore signatures will be accepted without a transparency-log entry; keep this only for air-gapped use.',
      );
    }
    const lists = [security.trusted_identities, security.trusted_keys];
    if (security.require_signature === true && lists.every((l) => !Array.isArray(l) || l.length === 0)) {
      push(
        ['security', 'require_signature'],
        'information',
        'POLICY_NO_TRUST_LIST',
        'Signatures are required but no trusted_identities or trusted_keys are listed, so every signer counts as untrusted.',
      );
    }
  }
  registryDiagnostics(config.registries, push);
  return out;
}

function registryDiagnostics(
  value: unknown,
  push: (path: YamlPath, severity: Severity, code: string, message: string) => void,
): void {
  if (!Array.isArray(value)) return;
  const names = new Map<string, number>();
  let defaults = 0;
  value.forEach((entry, i) => {
    const registry = asRecord(entry);
    if (!registry) return;
    if (typeof registry.name === 'string') {
      if (names.has(registry.name))
        push(
          ['registries', i, 'name'],
          'error',
          'REGISTRY_DUPLICATE',
          `Registry name "${registry.name}" is already used by item ${names.get(registry.name)! + 1}.`,
        );
      else names.set(registry.name, i);
    }
    if (registry.default === true && ++defaults === 2)
      push(
        ['registries', i, 'default'],
        'warning',
        'REGISTRY_DEFAULT',
        'More than one registry is marked default; the first one wins.',
      );
    const type = registry.type ?? 'local';
    if (typeof registry.url === 'string' && /^(file:\/\/\/|https?:\/\/|git@|ssh:\/\/)/.test(registry.url)) {
      const isFile = registry.url.startsWith('file://');
      if (type === 'local' && !isFile)
        push(['registries', i, 'url'], 'error', 'REGISTRY_URL', 'A local registry needs a file:///absolute/path URL.');
      if (type !== 'local' && isFile)
        push(
          ['registries', i, 'url'],
          'error',
          'REGISTRY_URL',
          `A ${String(type)} registry cannot have a file:// URL; use type: local.`,
        );
      if (type === 'http' && !/^https?:\/\//.test(registry.url))
        push(['registries', i, 'url'], 'error', 'REGISTRY_URL', 'An HTTP registry needs an http:// or https:// URL.');
    }
  });
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Each identity pattern of `trusted_identities` with its path: the item itself, or its `identity` key. */
function identityPatterns(value: unknown): [string, YamlPath][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, i): [string, YamlPath][] => {
    if (typeof item === 'string') return [[item, ['security', 'trusted_identities', i]]];
    const identity = asRecord(item)?.identity;
    return typeof identity === 'string' ? [[identity, ['security', 'trusted_identities', i, 'identity']]] : [];
  });
}

/** The last entry of a list equal to one before it (as JSON Schema's uniqueItems compares), and the nearest such one. */
function lastDuplicate(value: unknown): { at: number; first: number } | undefined {
  if (!Array.isArray(value)) return undefined;
  const last = new Map<string, number>();
  let found: { at: number; first: number } | undefined;
  value.forEach((item, i) => {
    const key = canonicalJson(item);
    const before = last.get(key);
    if (before !== undefined) found = { at: i, first: before };
    last.set(key, i);
  });
  return found;
}

function strings(value: unknown): [string, number][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, i) => (typeof item === 'string' ? [[item, i] as [string, number]] : []));
}

/** The fix for an invalid identity pattern: its anchored form, as YAML (quoted where needed). */
function trimFix(raw: string): ConfigDiagnostic['fix'] {
  const suggestion = anchoredSuggestion(raw);
  return suggestion ? { title: `Change to ${suggestion}`, replacement: yamlScalar(suggestion) } : undefined;
}

/** A string as a YAML scalar: `*@x` must be quoted, or YAML reads an alias. */
export function yamlScalar(text: string): string {
  return stringify(text).trimEnd();
}

/** Every `__proto__` key in a parsed config, at any depth. */
function protoKeys(root: unknown): YamlPath[] {
  const found: YamlPath[] = [];
  const stack: [unknown, YamlPath][] = [[root, []]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, path] = next;
    if (Array.isArray(node)) node.forEach((child, i) => stack.push([child, [...path, i]]));
    else if (node !== null && typeof node === 'object')
      for (const [name, child] of Object.entries(node)) {
        if (name === '__proto__') found.push([...path, name]);
        stack.push([child, [...path, name]]);
      }
  }
  return found;
}
