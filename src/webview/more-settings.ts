import { h } from './dom.ts';
import type { El } from './dom.ts';
import { FORM_KEYS } from './policy-fields.ts';
import type { PolicyState, WebviewMessage } from './protocol.ts';
import { renderSource, settingValue } from './setting-source.ts';

/**
 * Every security key the form has no control for: shown with its value (as
 * YAML), its description, any finding, and where it comes from; edited in
 * the text editor.
 */
export class MoreSettings {
  readonly element: El;
  private readonly more = h('div', { id: 'more-settings' });
  private readonly send: (message: WebviewMessage) => void;

  constructor(send: (message: WebviewMessage) => void) {
    this.send = send;
    this.element = h(
      'section',
      {},
      h('h2', {}, 'More settings'),
      h('p', { class: 'source' }, 'These are edited in the text editor.'),
      this.more,
    );
  }

  render(state: PolicyState): void {
    const keys = [...new Set([...Object.keys(state.keys), ...Object.keys(state.own)])].filter((k) => !FORM_KEYS.has(k));
    this.more.replaceChildren(
      ...keys.map((key) => {
        const edit = h('vscode-button', { secondary: '', 'aria-label': `Edit ${key} as text` }, 'Edit as text');
        edit.addEventListener('click', () => this.send({ type: 'openText', key }));
        const shown = settingValue(state, key);
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
    for (const key of keys) renderSource(state, key, this.send);
  }
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
