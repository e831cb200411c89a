import { h } from './dom.ts';
import type { El } from './dom.ts';
import type { PolicyState, WebviewMessage } from './protocol.ts';

/**
 * Where a setting's value comes from, under each control of the policy
 * form: set in this file (with a link back to the inherited value), or
 * inherited, with the value in effect and the file it comes from.
 */
export function sourceNote(key: string): El {
  return h('div', { class: 'source', id: `${key}-source` });
}

/** A setting's value as the form shows it: this file's, or else the one in effect. */
export function settingValue(state: PolicyState, key: string): unknown {
  return key in state.own ? state.own[key] : state.effective[key]?.value;
}

export function renderSource(state: PolicyState, key: string, send: (message: WebviewMessage) => void): void {
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
