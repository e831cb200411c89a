/** An element as the form uses them: @vscode-elements controls carry checked, value and disabled. */
export type El = HTMLElement & { checked?: boolean; value?: string; disabled?: boolean };

/** Makes an element with attributes and children (text or nodes). */
export function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): El {
  const el = document.createElement(tag) as El;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const child of children) el.append(child);
  return el;
}
