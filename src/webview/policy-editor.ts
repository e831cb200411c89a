import '@vscode-elements/elements/dist/bundled.js';
import { h } from './dom.ts';
import type { El } from './dom.ts';
import { LevelPicker } from './levels.ts';
import { MoreSettings } from './more-settings.ts';
import { CHECKS, LISTS, MODES, SIGNER_CHANGES, SIGNING_METHODS, TEXTS } from './policy-fields.ts';
import type { HostMessage, PolicyState, WebviewMessage } from './protocol.ts';
import { renderSource, settingValue, sourceNote } from './setting-source.ts';
import { TrustLists } from './trust-lists.ts';

/*
 * The policy form's page (the webview of extension/policy-editor.ts): it
 * lays out the sections, sends every change to the host as one edit of the
 * YAML document, and redraws from the state the host sends back. The form
 * holds no policy of its own: the document is the truth.
 */
declare function acquireVsCodeApi(): { postMessage(message: WebviewMessage): void };
const vscode = acquireVsCodeApi();
const send = (message: WebviewMessage) => vscode.postMessage(message);

const app = document.getElementById('app')!;
const header = h('div', { class: 'header' });
const banner = h('div', { class: 'banner', id: 'what-if', role: 'status' });
const levels = new LevelPicker(send);
const lists = new TrustLists(send);
const more = new MoreSettings(send);
app.append(header, banner, levels.element);

function section(title: string, ...content: Node[]): void {
  app.append(h('section', {}, h('h2', {}, title), ...content));
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

section('Whom to trust', lists.field(LISTS[0]!), lists.field(LISTS[1]!), lists.field(LISTS[2]!));

// Signing and Sigstore
const method = h('vscode-radio-group', { id: 'signing_method' });
for (const value of SIGNING_METHODS) {
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
section('Registry attestations', checks[2]!, lists.field(LISTS[3]!));
app.append(more.element);

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
  for (const [key] of CHECKS) (document.getElementById(key) as El).checked = settingValue(state, key) === true;
  for (const [choice] of MODES)
    (document.getElementById(`mode-${choice}`) as El).checked = settingValue(state, 'on_signature_failure') === choice;
  for (const [choice] of SIGNER_CHANGES)
    (document.getElementById(`signer-${choice}`) as El).checked = settingValue(state, 'on_signer_change') === choice;
  for (const m of SIGNING_METHODS)
    (document.getElementById(`method-${m}`) as El).checked = settingValue(state, 'signing_method') === m;
  for (const [key] of TEXTS) {
    const input = document.getElementById(key) as El;
    if (document.activeElement !== input)
      input.value = typeof state.own[key] === 'string' ? (state.own[key] as string) : '';
  }
  for (const [key] of LISTS) lists.render(state, key);
  levels.render(state);
  more.render(state);
  for (const key of [
    ...CHECKS.map((c) => c[0]),
    'on_signature_failure',
    'on_signer_change',
    'signing_method',
    ...TEXTS.map((t) => t[0]),
    ...LISTS.map((l) => l[0]),
  ])
    renderSource(state, key, send);
}

function whatIfList(state: PolicyState): El[] {
  const changes = state.whatIf?.changes ?? [];
  if (changes.length === 0) return [];
  return [
    h('ul', {}, ...changes.map((c) => h('li', { class: `change ${c.action}` }, `${c.name}: ${c.before} → ${c.after}`))),
  ];
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  if (event.data?.type === 'state') render(event.data.state);
  else if (event.data?.type === 'levelPreview') levels.showPreview(event.data.preview);
});
send({ type: 'ready' });
