import type { LevelName } from '../core/config/levels.ts';
import { h } from './dom.ts';
import type { El } from './dom.ts';
import type { LevelPreview, PolicyState, WebviewMessage } from './protocol.ts';

/**
 * The form's first section: the seeds' four trust levels. Choosing one shows
 * exactly which keys it sets and what that would do to the installed
 * packages; nothing changes until Apply, and Apply is one undoable edit.
 */
export class LevelPicker {
  readonly element: El;
  private readonly current = h('div', { class: 'level-current', id: 'level-current' });
  private readonly unmet = h('div', { class: 'warning', id: 'level-unmet' });
  private readonly group = h('vscode-radio-group', { id: 'level', variant: 'vertical' });
  private readonly keys = h('table', { class: 'level-keys', id: 'level-keys' });
  private readonly preview = h('div', { id: 'level-preview', role: 'region', 'aria-label': 'Trust level preview' });
  private readonly send: (message: WebviewMessage) => void;
  private state: PolicyState | undefined;
  /** The level chosen and previewed, not applied yet: a re-render does not take the choice away. */
  private pending: LevelName | undefined;

  constructor(send: (message: WebviewMessage) => void) {
    this.send = send;
    this.element = h(
      'section',
      { id: 'levels' },
      h('h2', {}, 'Trust level'),
      this.current,
      this.unmet,
      this.group,
      this.keys,
      this.preview,
    );
  }

  render(state: PolicyState): void {
    this.state = state;
    const { level } = state;
    this.current.textContent = `In effect: ${level.text}`;
    this.unmet.replaceChildren(...level.unmet.map((u) => h('div', {}, u)));
    if (this.group.childElementCount === 0) this.build(state);
    const chosen = this.pending ?? level.current;
    for (const option of level.levels)
      (document.getElementById(`level-${option.name}`) as El).checked = option.name === chosen;
  }

  showPreview(preview: LevelPreview): void {
    if (preview.level !== this.pending) return;
    const apply = h('vscode-button', { id: 'level-apply' }, `Apply ${preview.label}`);
    const cancel = h('vscode-button', { id: 'level-cancel', secondary: '' }, 'Cancel');
    apply.addEventListener('click', () => {
      this.send({ type: 'applyLevel', level: preview.level });
      this.close();
    });
    cancel.addEventListener('click', () => this.close());
    this.preview.replaceChildren(
      h('strong', {}, `${preview.label} sets in this file:`),
      h(
        'ul',
        { id: 'level-preview-keys' },
        ...preview.keys.map((k) =>
          h(
            'li',
            { class: k.changes ? 'changes' : 'same' },
            h('code', {}, `${k.key}: ${k.to}`),
            !k.changes
              ? ' (already set in this file)'
              : k.now === k.to
                ? ' (already in effect; now written in this file)'
                : ` (now ${k.now ?? 'not set'})`,
          ),
        ),
      ),
      h('div', { id: 'level-what-if' }, h('strong', {}, 'If you apply it: '), preview.summary),
      h(
        'ul',
        {},
        ...preview.changes.map((c) =>
          h('li', { class: `change ${c.action}`, title: c.message }, `${c.name}: ${c.before} → ${c.after}`),
        ),
      ),
      ...preview.warnings.map((w) => h('div', { class: 'warning' }, w)),
      h('div', { class: 'add-row' }, apply, cancel),
    );
    this.preview.classList.add('visible');
  }

  private build(state: PolicyState): void {
    for (const option of state.level.levels) {
      const radio = h('vscode-radio', {
        name: 'level',
        value: option.name,
        id: `level-${option.name}`,
        label: `${option.label} — ${option.summary} (${option.useCase})`,
      });
      radio.addEventListener('change', () => {
        if (!radio.checked || option.name === this.pending) return;
        this.pending = option.name;
        this.preview.replaceChildren(`Checking what ${option.label} would change…`);
        this.preview.classList.add('visible');
        this.send({ type: 'previewLevel', level: option.name });
      });
      this.group.append(radio);
    }
    this.keys.replaceChildren(
      ...state.level.levels.map((option) =>
        h('tr', {}, h('th', {}, option.label), h('td', {}, h('code', {}, option.keys.join(' · ')))),
      ),
    );
  }

  private close(): void {
    this.pending = undefined;
    this.preview.classList.remove('visible');
    this.preview.replaceChildren();
    if (this.state) this.render(this.state);
  }
}
