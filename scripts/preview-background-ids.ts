/**
 * Prints the theme colours src/core/content/preview-background.ts reads as the preview's background, from an
 * installed code-server (the one `node scripts/tools.ts` installs):
 *   - REGISTRY: those whose default in VS Code's colour registry is `editor.background` in some colour scheme, or
 *     a see-through layer of it, followed through colours defined by others (`registerColor(id, default, …)`);
 *   - THEMES: those that one of the default themes sets to a colour no one can tell from that theme's editor
 *     background (contrast below 1.1, a see-through colour laid over it);
 * and, for src/core/content/vscode-colours.ts, DEFINED: every colour that paints in Light and Dark Modern (VS Code
 * defines `--vscode-<id>` in a webview for a colour with a value).
 *
 *   node scripts/preview-background-ids.ts [CODE_SERVER_DIR]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Color from 'color';

const root =
  process.argv[2] ?? join(homedir(), '.cache', 'aam-trust', 'code-server-4.139.1', 'node_modules', 'code-server');
const vscode = join(root, 'lib', 'vscode');

// The registry: `NAME=oe("id",DEFAULT,` in the bundled workbench, `editor.background`'s variable first.
const workbench = readFileSync(join(vscode, 'out', 'vs', 'code', 'browser', 'workbench', 'workbench.js'), 'utf8');
const editor = /([\w$]+)=([\w$]+)\("editor\.background",\{light:"#ffffff"/.exec(workbench);
if (!editor) throw new Error('editor.background is not registered as expected: read the bundle again');
const [, editorVariable, register] = editor;
const registered: { variable?: string; id: string; fallback: string }[] = [];
const call = new RegExp(`(?:([\\w$]+)=)?${register!.replace(/\$/g, '\\$')}\\("([\\w.]+)",`, 'g');
for (const match of workbench.matchAll(call)) {
  let depth = 0;
  let end = match.index + match[0].length;
  for (; end < workbench.length; end++) {
    const c = workbench[end]!;
    if ('({['.includes(c)) depth++;
    else if (')}]'.includes(c) && depth-- === 0) break;
    else if (c === ',' && depth === 0) break;
  }
  registered.push({ variable: match[1], id: match[2]!, fallback: workbench.slice(match.index + match[0].length, end) });
}
const variables = new Set([editorVariable!]);
const fromRegistry = new Set(['editor.background']);
for (let grew = true; grew;) {
  grew = false;
  for (const { variable, id, fallback } of registered) {
    if (fromRegistry.has(id)) continue;
    const ways = fallback.startsWith('{')
      ? [...fallback.matchAll(/\w+:((?:[^,(]|\([^()]*\))+)/g)].map((m) => m[1]!)
      : [fallback];
    const of = (way: string) =>
      [...variables].some(
        (v) => way === v || new RegExp(`^[\\w$]+\\(${v.replace(/\$/g, '\\$')},[\\d.]+\\)$`).test(way),
      );
    if (ways.some(of)) {
      fromRegistry.add(id);
      if (variable) variables.add(variable);
      grew = true;
    }
  }
}

// The default themes, each with the theme it includes.
const themes = join(vscode, 'extensions', 'theme-defaults', 'themes');
const load = (file: string): Record<string, string> => {
  const theme = JSON.parse(
    readFileSync(join(themes, file), 'utf8')
      .replace(/^\s*\/\/.*$/gm, '')
      .replace(/,(\s*[}\]])/g, '$1'),
  ) as { include?: string; colors?: Record<string, string> };
  return { ...(theme.include ? load(theme.include.replace('./', '')) : {}), ...theme.colors };
};
const fromThemes = new Set<string>();
for (const file of readdirSync(themes).filter((f) => f.endsWith('.json'))) {
  const colours = load(file);
  const background = Color(colours['editor.background'] ?? (/light/.test(file) ? '#ffffff' : '#1e1e1e'));
  for (const [id, value] of Object.entries(colours)) {
    let colour: ReturnType<typeof Color>;
    try {
      colour = Color(value);
    } catch {
      continue;
    }
    const a = colour.alpha();
    const laid = Color.rgb(
      colour.red() * a + background.red() * (1 - a),
      colour.green() * a + background.green() * (1 - a),
      colour.blue() * a + background.blue() * (1 - a),
    );
    if (laid.contrast(background) < 1.1 && !fromRegistry.has(id)) fromThemes.add(id);
  }
}
// Every colour a default theme gives a value, the registry's default or its own: VS Code defines `--vscode-<id>`.
// Defined: a colour with a value that paints in both of the themes users see, Light and Dark Modern (the theme's
// own, else the registry's default for the scheme, followed through the colours it names); one that is null in
// either, or see-through in both, paints nothing there (diff19-review H3).
const byVariable = new Map(registered.filter((r) => r.variable).map((r) => [r.variable!, r]));
const byId = new Map(registered.map((r) => [r.id, r]));
type Paint = 'none' | 'clear' | 'paints';
const paintOf = (value: string): Paint => {
  try {
    return Color(value).alpha() <= 0.05 ? 'clear' : 'paints';
  } catch {
    return 'paints';
  }
};
const resolve = (expression: string, scheme: 'light' | 'dark', theme: Record<string, string>, depth = 0): Paint => {
  if (depth > 20) return 'paints';
  const e = expression.trim();
  if (e === 'null') return 'none';
  if (/^"[^"]*"$/.test(e)) return paintOf(e.slice(1, -1));
  if (e.startsWith('{')) {
    const way = new RegExp(`(?:^|[{,])${scheme}:((?:[^,(}]|\\([^()]*\\))+)`).exec(e);
    return way ? resolve(way[1]!, scheme, theme, depth + 1) : 'paints';
  }
  const named = byVariable.get(e);
  if (named) return colourIn(named.id, scheme, theme, depth + 1);
  return 'paints'; // a function of other colours (transparent(), darken()…): taken to paint
};
const colourIn = (id: string, scheme: 'light' | 'dark', theme: Record<string, string>, depth = 0): Paint =>
  theme[id] !== undefined ? paintOf(theme[id]!) : resolve(byId.get(id)?.fallback ?? 'null', scheme, theme, depth);
const modern = { light: load('light_modern.json'), dark: load('dark_modern.json') };
const defined = new Set<string>();
const clear = new Set<string>();
for (const id of new Set([...byId.keys(), ...Object.keys(modern.light), ...Object.keys(modern.dark)])) {
  const paints = (['light', 'dark'] as const).map((scheme) => colourIn(id, scheme, modern[scheme]));
  if (!paints.includes('none') && paints.includes('paints')) defined.add(id);
  else if (paints.every((paint) => paint === 'clear')) clear.add(id);
}
console.log(`DEFINED (${defined.size}):\n${[...defined].sort().join(' ')}`);
console.log(`CLEAR (${clear.size}):\n${[...clear].sort().join(' ')}`);
console.log(`REGISTRY (${fromRegistry.size}):\n${[...fromRegistry].join('\n')}`);
console.log(`THEMES (${fromThemes.size}):\n${[...fromThemes].sort().join('\n')}`);
