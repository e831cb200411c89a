import '@vscode-elements/elements/dist/bundled.js';
import {
  entryText,
  isTrustedIdentity,
  normalizeFingerprint,
  overBroadReason,
  parseIdentityPattern,
} from '../core/policy/identity.ts';
import type { HostMessage, ListKey, PolicyState, WebviewMessage } from './protocol.ts';
import { h } from './dom.ts';
import type { El } from './dom.ts';
import { LevelPicker } from './levels.ts';

declare function acquireVsCodeApi(): { postMessage(message: WebviewMessage): void };
const vscode = acquireVsCodeApi();
const send = (message: WebviewMessage) => vscode.postMessage(message);

const MODES: [string, string, string][] = [
  ['warn', 'Warn', 'Report an invalid or untrusted signature, and continue.'],
  ['error', 'Error', 'Fail the install or verification.'],
  ['ignore', 'Ignore', 'Skip signature verification entirely (not recommended).'],
];
const SIGNER_CHANGES: [string, string, string][] = [
  ['error', 'Error', 'Fail a package signed by another signer than the one recorded (trust on first use).'],
  ['warn', 'Warn', 'Report the change, and continue.'],
];
const CHECKS: [string, string, string][] = [
  ['require_signature', 'Require signatures', 'Reject packages that carry no signature.'],
  [
    'verify_transparency_log',
    'Require a transparency-log entry',
    'Sigstore signatures must be recorded in Rekor. Turn off only for air-gapped use.',
  ],
  [
    'trust_registry_attestations',
    'Accept registry attestations',
    'Accept a signature made by a trusted registry in place of an author signature.',
  ],
];
const LISTS: [ListKey, string, string, (v: string) => string | undefined][] = [
  [
    'trusted_identities',
    'Trusted Sigstore identities',
    'alice@example.com, *@example.com, github:OWNER/REPO, gitlab:GROUP',
    validateIdentity,
  ],
  [
    'trusted_keys',
    'Trusted OpenPGP keys',
    'Full 40-hex fingerprint',
    (v) => (normalizeFingerprint(v) ? undefined : 'A full 40-hex-digit fingerprint; short key ids can be forged.'),
  ],
  [
    'allowed_issuers',
    'Allowed OIDC issuers (empty: any)',
    'https://accounts.google.com',
    (v) => (/^https?:\/\/\S+$/.test(v) ? undefined : 'An issuer URL, such as https://accounts.google.com.'),
  ],
  [
    'trusted_registries',
    'Registries whose attestations are trusted',
    'Registry name',
    (v) => (v.trim() ? undefined : 'A registry name.'),
  ],
];
const TEXTS: [string, string, string][] = [
  ['gpg_key', 'GPG signing key', 'Key id, fingerprint, email, or a path to an armored secret key'],
  ['gpg_home', 'GnuPG home', '~/.gnupg'],
  ['sigstore_endpoint', 'Sigstore instance', 'https://sigstore.example.com (public-good when empty)'],
  ['sigstore_oidc_issuer', 'Sign-in (OIDC issuer)', 'https://oauth2.sigstore.dev/auth'],
  ['sigstore_trusted_root', 'Trusted root (trusted_root.json)', 'Path; the public-good root when empty'],
];

function validateIdentity(value: string): string | undefined {
  const parsed = parseIdentityPattern(value);
  if (!parsed.ok) return `This pattern ${parsed.reason}.`;
  return overBroadReason(parsed.pattern);
}

const app = document.getElementById('app')!;
const header = h('div', { class: 'header' });
const banner = h('div', { class: 'banner', id: 'what-if', role: 'status' });
const levels = new LevelPicker(send);
app.append(header, banner, levels.element);

function section(title: string, ...content: Node[]): void {
  app.append(h('section', {}, h('h2', {}, title), ...content));
}

function sourceNote(key: string): El {
  return h('div', { class: 'source', id: `${key}-source` });
}

// Signatures
const checks = CHECKS.map(([key, label, help]) => {
  const box = h('vscode-checkbox', { id: key, label });
  box.addEventListener('change', () =>
    send({ type: 'edit', edit: { op: 'set', path: ['security', key], value: box.checked === true } }),
  );
  return h('div', { class: 'field' }, box, h('vscode-form-helper', {}, help), sourceNote(key));
});
const modes = h('vscode-radio-group', { id: 'on_signature_failure', variant: 'vertical' });
for (const [value, label, help] of MODES) {
  const radio = h('vscode-radio', {
    name: 'on_signature_failure',
    value,
    label: `${label} — ${help}`,
    id: `mode-${value}`,
  });
  radio.addEventListener(
    'change',
    () =>
      radio.checked && send({ type: 'edit', edit: { op: 'set', path: ['security', 'on_signature_failure'], value } }),
  );
  modes.append(radio);
}
const signerChanges = h('vscode-radio-group', { id: 'on_signer_change', variant: 'vertical' });
for (const [value, label, help] of SIGNER_CHANGES) {
  const radio = h('vscode-radio', {
    name: 'on_signer_change',
    value,
    label: `${label} — ${help}`,
    id: `signer-${value}`,
  });
  radio.addEventListener(
    'change',
    () => radio.checked && send({ type: 'edit', edit: { op: 'set', path: ['security', 'on_signer_change'], value } }),
  );
  signerChanges.append(radio);
}
section(
  'Signatures',
  checks[0]!,
  h(
    'div',
    { class: 'field' },
    h('vscode-label', {}, 'When a signature is invalid or untrusted'),
    modes,
    sourceNote('on_signature_failure'),
  ),
  h(
    'div',
    { class: 'field' },
    h('vscode-label', {}, 'When the signer changes'),
    signerChanges,
    h('vscode-form-helper', {}, 'A removed signature and a lower version always fail.'),
    sourceNote('on_signer_change'),
  ),
  checks[1]!,
);

// Trust lists
const lists = new Map<ListKey, { items: El; input: El; error: El }>();
function listField([key, label, placeholder, validate]: (typeof LISTS)[number]): El {
  const items = h('ul', { class: 'entries', id: `${key}-entries` });
  const input = h('vscode-textfield', { id: `${key}-input`, placeholder });
  // An identity can be pinned to the OIDC issuer it must come from: {identity, issuer}.
  const issuer =
    key === 'trusted_identities'
      ? h('vscode-textfield', {
          id: `${key}-issuer`,
          placeholder: 'only from issuer (optional), e.g. https://accounts.google.com',
        })
      : undefined;
  const error = h('div', { class: 'error', id: `${key}-error`, role: 'alert' });
  const add = h('vscode-button', { id: `${key}-add`, secondary: '' }, 'Add');
  const submit = () => {
    const value = (input.value ?? '').trim();
    const pinned = (issuer?.value ?? '').trim();
    const problem =
      (value ? validate(value) : 'Enter a value.') ??
      (pinned && !/^https?:\/\/\S+$/.test(pinned)
        ? 'The issuer must be a URL, such as https://accounts.google.com.'
        : undefined);
    const blocking =
      problem &&
      !(key === 'trusted_identities' && parseIdentityPattern(value).ok && (!pinned || /^https?:\/\/\S+$/.test(pinned)));
    error.textContent = problem ?? '';
    if (blocking || !value) return;
    send({ type: 'add', key, value: pinned ? { identity: value, issuer: pinned } : value });
    input.value = '';
    if (issuer) issuer.value = '';
  };
  add.addEventListener('click', submit);
  input.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && submit());
  input.addEventListener('input', () => {
    const value = (input.value ?? '').trim();
    error.textContent = value ? (validate(value) ?? '') : '';
  });
  lists.set(key, { items, input, error });
  return h(
    'div',
    { class: 'field' },
    h('vscode-label', {}, label),
    items,
    h('div', { class: 'add-row' }, input, ...(issuer ? [issuer] : []), add),
    error,
    sourceNote(key),
  );
}
section('Whom to trust', listField(LISTS[0]!), listField(LISTS[1]!), listField(LISTS[2]!));

// Signing and Sigstore
const method = h('vscode-radio-group', { id: 'signing_method' });
for (const value of ['sigstore', 'gpg']) {
  const radio = h('vscode-radio', {
    name: 'signing_method',
    value,
    label: value === 'sigstore' ? 'Sigstore (keyless)' : 'GPG',
    id: `method-${value}`,
  });
  radio.addEventListener(
    'change',
    () => radio.checked && send({ type: 'edit', edit: { op: 'set', path: ['security', 'signing_method'], value } }),
  );
  method.append(radio);
}
const texts = TEXTS.map(([key, label, placeholder]) => {
  const input = h('vscode-textfield', { id: key, placeholder });
  input.addEventListener('change', () => {
    const value = (input.value ?? '').trim();
    send({
      type: 'edit',
      edit: value ? { op: 'set', path: ['security', key], value } : { op: 'delete', path: ['security', key] },
    });
  });
  return h('div', { class: 'field' }, h('vscode-label', {}, label), input, sourceNote(key));
});
section(
  'Publishing',
  h('div', { class: 'field' }, h('vscode-label', {}, 'Default signing method'), method, sourceNote('signing_method')),
  texts[0]!,
  texts[1]!,
);
section('Custom Sigstore instance', texts[2]!, texts[3]!, texts[4]!);
section('Registry attestations', checks[2]!, listField(LISTS[3]!));

// Every other security key: shown with its value and where it comes from, edited as text.
const FORM_KEYS = new Set<string>([
  ...CHECKS.map((c) => c[0]),
  ...LISTS.map((l) => l[0]),
  ...TEXTS.map((t) => t[0]),
  'on_signature_failure',
  'on_signer_change',
  'signing_method',
]);
const more = h('div', { id: 'more-settings' });
section('More settings', h('p', { class: 'source' }, 'These are edited in the text editor.'), more);

function renderMore(state: PolicyState): void {
  const keys = [...new Set([...Object.keys(state.keys), ...Object.keys(state.own)])].filter((k) => !FORM_KEYS.has(k));
  more.replaceChildren(
    ...keys.map((key) => {
      const edit = h('vscode-button', { secondary: '', 'aria-label': `Edit ${key} as text` }, 'Edit as text');
      edit.addEventListener('click', () => send({ type: 'openText', key }));
      const shown = value(state, key);
      const finding = state.findings.find((f) => f.path[1] === key);
      return h(
        'div',
        { class: 'field more', id: `more-${key}` },
        h('vscode-label', {}, h('code', {}, key)),
        h('vscode-form-helper', {}, state.keys[key] || 'Not a setting AAM knows.'),
        h('pre', { class: 'value' }, shown === undefined ? '(not set)' : yamlText(shown)),
        ...(finding ? [h('div', { class: finding.severity }, finding.message)] : []),
        h('div', { class: 'source', id: `${key}-source` }),
        edit,
      );
    }),
  );
  for (const key of keys) renderSource(state, key);
}

/** A value as it reads in YAML (what the text editor will show). */
function yamlText(value: unknown, indent = ''): string {
  if (Array.isArray(value))
    return value.length === 0
      ? '[]'
      : value.map((v) => `${indent}- ${yamlText(v, `${indent}  `).trimStart()}`).join('\n');
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return entries
      .map(([k, v]) =>
        v && typeof v === 'object' && (!Array.isArray(v) || v.length > 0)
          ? `${indent}${k}:\n${yamlText(v, `${indent}  `)}`
          : `${indent}${k}: ${yamlText(v)}`,
      )
      .join('\n');
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function render(state: PolicyState): void {
  const where = state.layer === 'project' ? 'Project policy' : 'Global policy';
  header.replaceChildren(
    h('h1', {}, `${where}${state.dirty ? ' •' : ''}`),
    h('div', { class: 'file' }, state.file),
    ...(state.restricted
      ? [
          h(
            'div',
            { class: 'notice' },
            'Restricted Mode: project settings apply only where they tighten the global policy.',
          ),
        ]
      : []),
  );
  const open = h('vscode-button', { secondary: '' }, 'Open in Text Editor');
  open.addEventListener('click', () => send({ type: 'openText' }));
  if (state.yamlError)
    header.append(
      h(
        'div',
        { class: 'error-banner', role: 'alert' },
        `This file has YAML errors: ${state.yamlError}. Fix them in the text editor; the form is read-only until then. `,
      ),
      open,
    );
  else header.append(open);
  banner.replaceChildren(
    ...(state.whatIf ? [h('strong', {}, 'If you save now: '), state.whatIf.summary, ...whatIfList(state)] : []),
  );
  banner.classList.toggle('visible', !!state.whatIf);
  for (const el of app.querySelectorAll<El>('vscode-checkbox, vscode-radio, vscode-textfield, vscode-button'))
    if (el.textContent !== 'Open in Text Editor') el.disabled = !!state.yamlError;
  for (const [key] of CHECKS) (document.getElementById(key) as El).checked = value(state, key) === true;
  for (const [value_] of MODES)
    (document.getElementById(`mode-${value_}`) as El).checked = value(state, 'on_signature_failure') === value_;
  for (const [value_] of SIGNER_CHANGES)
    (document.getElementById(`signer-${value_}`) as El).checked = value(state, 'on_signer_change') === value_;
  for (const m of ['sigstore', 'gpg'])
    (document.getElementById(`method-${m}`) as El).checked = value(state, 'signing_method') === m;
  for (const [key] of TEXTS) {
    const input = document.getElementById(key) as El;
    if (document.activeElement !== input)
      input.value = typeof state.own[key] === 'string' ? (state.own[key] as string) : '';
  }
  for (const [key] of LISTS) renderList(state, key);
  levels.render(state);
  renderMore(state);
  for (const key of [
    ...CHECKS.map((c) => c[0]),
    'on_signature_failure',
    'on_signer_change',
    'signing_method',
    ...TEXTS.map((t) => t[0]),
    ...LISTS.map((l) => l[0]),
  ])
    renderSource(state, key);
}

function whatIfList(state: PolicyState): El[] {
  const changes = state.whatIf?.changes ?? [];
  if (changes.length === 0) return [];
  return [
    h('ul', {}, ...changes.map((c) => h('li', { class: `change ${c.action}` }, `${c.name}: ${c.before} → ${c.after}`))),
  ];
}

function value(state: PolicyState, key: string): unknown {
  return key in state.own ? state.own[key] : state.effective[key]?.value;
}

function renderList(state: PolicyState, key: ListKey): void {
  const { items } = lists.get(key)!;
  const own = Array.isArray(state.own[key]) ? (state.own[key] as unknown[]) : undefined;
  const shown = own ?? (state.effective[key]?.value as unknown[] | undefined) ?? [];
  items.replaceChildren(
    ...shown.map((entry, index) => {
      const text = isTrustedIdentity(entry) ? entryText(entry) : String(entry);
      const finding = state.findings.find((f) => f.path[1] === key && f.path[2] === index);
      const remove = h('vscode-button', { secondary: '', 'aria-label': `Remove ${text}` }, 'Remove');
      remove.addEventListener('click', () =>
        send({
          type: 'edit',
          edit: {
            op: 'remove-from-list',
            path: ['security', key],
            value: typeof entry === 'object' && entry ? (entry as Record<string, string>) : text,
          },
        }),
      );
      return h(
        'li',
        { class: own ? '' : 'inherited' },
        h('code', {}, text),
        ...(own ? [remove] : []),
        ...(finding ? [h('div', { class: finding.severity }, finding.message)] : []),
      );
    }),
  );
}

function renderSource(state: PolicyState, key: string): void {
  const note = document.getElementById(`${key}-source`);
  if (!note) return;
  const effective = state.effective[key];
  if (key in state.own) {
    const reset = h('a', { href: '#', class: 'reset' }, 'Reset to inherited');
    reset.addEventListener('click', (e) => {
      e.preventDefault();
      send({ type: 'edit', edit: { op: 'delete', path: ['security', key] } });
    });
    note.replaceChildren(
      `Set in this file${effective && effective.source !== state.file ? ` (in effect: ${JSON.stringify(effective.value)} from ${effective.source})` : ''}. `,
      reset,
    );
  } else {
    note.replaceChildren(effective ? `Inherited: ${JSON.stringify(effective.value)} from ${effective.source}` : '');
  }
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  if (event.data?.type === 'state') render(event.data.state);
  else if (event.data?.type === 'levelPreview') levels.showPreview(event.data.preview);
});
send({ type: 'ready' });
