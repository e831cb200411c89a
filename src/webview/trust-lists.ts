import { entryText, isTrustedIdentity, parseIdentityPattern } from '../core/policy/identity.ts';
import { h } from './dom.ts';
import type { El } from './dom.ts';
import type { ListField } from './policy-fields.ts';
import type { ListKey, PolicyState, WebviewMessage } from './protocol.ts';
import { sourceNote } from './setting-source.ts';

/**
 * The form's trust lists (identities, keys, issuers, registries): each
 * entry with its finding and a Remove button, inherited entries greyed, and
 * an Add row that checks an entry as it is typed. An identity can be pinned
 * to the OIDC issuer it must come from.
 */
export class TrustLists {
  private readonly lists = new Map<ListKey, { items: El; input: El; error: El }>();
  private readonly send: (message: WebviewMessage) => void;

  constructor(send: (message: WebviewMessage) => void) {
    this.send = send;
  }

  /** The field of one list: its entries, the Add row and the error under it. */
  field([key, label, placeholder, validate]: ListField): El {
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
        !(
          key === 'trusted_identities' &&
          parseIdentityPattern(value).ok &&
          (!pinned || /^https?:\/\/\S+$/.test(pinned))
        );
      error.textContent = problem ?? '';
      if (blocking || !value) return;
      this.send({ type: 'add', key, value: pinned ? { identity: value, issuer: pinned } : value });
      input.value = '';
      if (issuer) issuer.value = '';
    };
    add.addEventListener('click', submit);
    input.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && submit());
    input.addEventListener('input', () => {
      const value = (input.value ?? '').trim();
      error.textContent = value ? (validate(value) ?? '') : '';
    });
    this.lists.set(key, { items, input, error });
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

  /** Shows a list's entries: this file's (removable), or else the inherited ones. */
  render(state: PolicyState, key: ListKey): void {
    const { items } = this.lists.get(key)!;
    const own = Array.isArray(state.own[key]) ? (state.own[key] as unknown[]) : undefined;
    const shown = own ?? (state.effective[key]?.value as unknown[] | undefined) ?? [];
    items.replaceChildren(
      ...shown.map((entry, index) => {
        const text = isTrustedIdentity(entry) ? entryText(entry) : String(entry);
        const finding = state.findings.find((f) => f.path[1] === key && f.path[2] === index);
        const remove = h('vscode-button', { secondary: '', 'aria-label': `Remove ${text}` }, 'Remove');
        remove.addEventListener('click', () =>
          this.send({
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
}
