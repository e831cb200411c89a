/**
 * The text transformations the `aam` CLI's platform adapters apply, to the
 * byte: what `aam install` writes is what AAM Trust expects (and writes).
 * Python's `read_text` turns every line ending into `\n`, `str.rstrip()`
 * strips Python's whitespace set, and sections in shared files are delimited
 * by `<!-- BEGIN AAM: NAME KIND -->` … `<!-- END AAM: NAME KIND -->`.
 */

import { AamError } from '../errors.ts';

/** Python's `str.isspace()` characters. */
const PY_SPACE =
  '\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** `str.rstrip()` as Python does it. */
export function pyRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && PY_SPACE.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/** `str.rstrip(chars)` / `str.lstrip(chars)` for a set of characters. */
export function rstripChars(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}

export function lstripChars(text: string, chars: string): string {
  let start = 0;
  while (start < text.length && chars.includes(text[start]!)) start++;
  return text.slice(start);
}

/**
 * `Path.read_text(encoding="utf-8")`: strict UTF-8 (aam fails on anything
 * else, so do we) with universal newlines.
 */
export function readText(bytes: Uint8Array, where: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${where} is not UTF-8 text`);
  }
  return text.replace(/\r\n?/g, '\n');
}

/**
 * A section's text, which must hold no AAM section marker: in CLAUDE.md or AGENTS.md one would end the
 * section early (what follows is outside it, unchecked), open another package's section, or make another
 * package's section look modified. aam writes it as it is; no copy of it can be compared.
 */
export function sectionText(content: string, path: string): string {
  const marker = /<!-- (?:BEGIN|END) AAM:[^\n]*/.exec(content);
  if (marker)
    throw new Error(
      `${path} holds an AAM section marker (${JSON.stringify(marker[0].slice(0, 80))}), which would end its section in the shared file early or open another`,
    );
  return content;
}

export function markers(name: string, kind: string): { begin: string; end: string } {
  return { begin: `<!-- BEGIN AAM: ${name} ${kind} -->`, end: `<!-- END AAM: ${name} ${kind} -->` };
}

/**
 * A section of a shared file as found: not there (no marker of it at all),
 * one BEGIN marker with its END after it (as aam writes it), or markers in any
 * other arrangement (an END above the BEGIN, one without the other, two of
 * either). Agents load the whole file, so a copy that is not the one aam
 * writes is a modified copy, never an absent one.
 */
export type FoundSection =
  | { state: 'absent' }
  | { state: 'found'; body: string; begin: number; end: number }
  | { state: 'malformed'; at: number; problem: string };

/** The section `name kind` in `existing`, its END looked for only after its BEGIN. */
export function findSection(existing: string, name: string, kind: string): FoundSection {
  const { begin, end } = markers(name, kind);
  const begins = occurrences(existing, begin);
  const ends = occurrences(existing, end);
  if (begins.length === 0 && ends.length === 0) {
    // A marker written otherwise reads as this section to whoever reviews the file, and as no marker here:
    // the section would be absent, its platform not deployed, and its text unchecked (deployed-review F1).
    const like = lookalikeAt(existing, [begin, end]);
    if (like === undefined) return { state: 'absent' };
    return {
      state: 'malformed',
      at: like,
      problem: `holds a marker of the section "${name} ${kind}" written otherwise (other spaces, invisible characters or lookalike letters), where aam writes it exactly`,
    };
  }
  const [b, e] = [begins[0], ends[0]];
  if (begins.length === 1 && ends.length === 1 && b !== undefined && e !== undefined && e >= b + begin.length)
    return { state: 'found', body: existing.slice(b + begin.length, e), begin: b, end: e };
  const at = Math.min(b ?? Infinity, e ?? Infinity);
  return { state: 'malformed', at, problem: markerProblem(begins.length, ends.length, `${name} ${kind}`) };
}

/**
 * Latin letters' lookalikes among Cyrillic and Greek capitals and small
 * letters, as Latin: what NFKC leaves apart and a reader cannot tell apart.
 */
const LOOKALIKES: Record<string, string> = Object.fromEntries(
  [...'АВСЕНІЈКМОРЅТХУаеіјорсѕхуΑΒΕΗΙΚΜΝΟΡΤΧΥΖοι'].map((c, i) => [c, 'ABCEHIJKMOPSTXYaeijopcsxyABEHIKMNOPTXYZoi'[i]!]),
);
const LOOKALIKE = new RegExp(`[${Object.keys(LOOKALIKES).join('')}]`, 'gu');

/** Text as markers are compared loosely: NFKC, lookalike letters made Latin, no spaces or format characters, upper case. */
function loose(text: string): string {
  return text
    .normalize('NFKC')
    .replace(LOOKALIKE, (c) => LOOKALIKES[c]!)
    .replace(/[\s\p{Cf}]+/gu, '')
    .toUpperCase();
}

/** Where a line holds one of `marks` written otherwise than exactly, or undefined. */
function lookalikeAt(text: string, marks: readonly string[]): number | undefined {
  // Cheap first: no line can hold a marker without "--" and ":".
  if (!text.includes('--') || !text.includes(':')) return undefined;
  const wanted = marks.map(loose);
  let offset = 0;
  for (const line of text.split('\n')) {
    const shape = loose(line);
    if (wanted.some((mark) => shape.includes(mark))) return offset;
    offset += line.length + 1;
  }
  return undefined;
}

function occurrences(text: string, marker: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + marker.length)) at.push(i);
  return at;
}

function markerProblem(begins: number, ends: number, section: string): string {
  if (begins > 1 || ends > 1)
    return `holds ${begins} BEGIN and ${ends} END markers of the section "${section}", where aam writes one of each`;
  if (ends === 0) return `holds a BEGIN marker of the section "${section}" with no END marker after it`;
  if (begins === 0) return `holds an END marker of the section "${section}" with no BEGIN marker`;
  return `holds the END marker of the section "${section}" above its BEGIN marker`;
}

/** At most this many other sections of a shared file are named (diff5-review F8: 20,000 bare markers). */
export const MAX_SECTIONS_BESIDE = 64;

/**
 * The AAM sections a shared file holds ("name kind"), each written with its exact BEGIN and END markers,
 * at most MAX_SECTIONS_BESIDE + 1 of them (one more than are named says there are more). Markers are
 * found in one pass each way: a file of bare BEGIN markers costs no more than its length.
 */
export function sectionsIn(text: string): string[] {
  if (!text.includes('<!-- BEGIN AAM: ')) return [];
  const marker = /<!-- (BEGIN|END) AAM: ([a-z0-9][a-z0-9-]{0,63}) (agent|instruction) -->/g;
  const begun = new Set<string>();
  const ended = new Set<string>();
  for (const m of text.matchAll(marker)) (m[1] === 'BEGIN' ? begun : ended).add(`${m[2]} ${m[3]}`);
  const out: string[] = [];
  for (const section of begun) {
    if (!ended.has(section)) continue;
    out.push(section);
    if (out.length > MAX_SECTIONS_BESIDE) break;
  }
  return out;
}

/**
 * The section's body as deployed in `existing`, or undefined when it is not
 * there or its markers are not one BEGIN and one END after it (findSection
 * tells the two apart). Only what is between the markers is the package's:
 * text outside them is the user's own.
 */
export function sectionBody(existing: string, name: string, kind: string): string | undefined {
  const section = findSection(existing, name, kind);
  return section.state === 'found' ? section.body : undefined;
}

/**
 * What `_upsert_marker_section` writes for `content` into a file that holds
 * `existing` (undefined: no file), to the byte, when the file holds the
 * section as aam writes it or no marker of it. aam takes the first BEGIN and
 * the first END anywhere in the file: with an END above the BEGIN it writes
 * the text between them twice, and beside a lone marker it adds a second
 * section. Either writes outside the section, so such a file is refused
 * (INSTALL_REFUSED, naming `path`) for a person to mend.
 */
export function upsertSection(
  existing: string | undefined,
  name: string,
  kind: string,
  content: string,
  path = 'the file',
): string {
  const { begin, end } = markers(name, kind);
  const block = `${begin}\n${pyRstrip(content)}\n${end}\n`;
  if (existing === undefined) return block;
  const section = findSection(existing, name, kind);
  if (section.state === 'malformed')
    throw new AamError('INSTALL_REFUSED', `${path} ${section.problem}: the section is not written.`, {
      hint: `Leave one BEGIN marker and one END marker after it in ${path} (or neither), and run this again.`,
    });
  if (section.state === 'absent') return `${rstripChars(existing, '\n')}\n\n${block}`;
  const before = existing.slice(0, section.begin);
  const after = lstripChars(existing.slice(section.end + end.length), '\n');
  let next = `${rstripChars(before, '\n')}\n\n${block}`;
  if (after.trim()) next += `\n${after}`;
  return next;
}

/** The body `upsertSection` puts between the markers. */
export function expectedSectionBody(content: string): string {
  return `\n${pyRstrip(content)}\n`;
}

/** An agent definition (`agent.yaml`), as the Cursor adapter reads it. */
export interface AgentDefinition {
  name: string;
  description: string;
  systemPrompt: string;
  skills: string[];
  prompts: string[];
}

/** `CursorAdapter._generate_agent_mdc`. */
export function agentMdc(agent: AgentDefinition, systemPrompt: string): string {
  const lines = [
    '---',
    `description: "${agent.description}"`,
    'alwaysApply: true',
    '---',
    '',
    `# Agent: ${agent.name}`,
    '',
  ];
  if (systemPrompt) lines.push(pyRstrip(systemPrompt), '');
  if (agent.skills.length > 0) lines.push('## Available Skills', '', ...agent.skills.map((s) => `- ${s}`), '');
  if (agent.prompts.length > 0) lines.push('## Available Prompts', '', ...agent.prompts.map((p) => `- ${p}`), '');
  return lines.join('\n');
}

/** `CursorAdapter._generate_instruction_mdc`. */
export function instructionMdc(description: string, content: string): string {
  return ['---', `description: "${description}"`, 'alwaysApply: true', '---', '', pyRstrip(content), ''].join('\n');
}
