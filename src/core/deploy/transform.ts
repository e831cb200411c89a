/**
 * The text transformations the `aam` CLI's platform adapters apply, to the
 * byte: what `aam install` writes is what AAM Trust expects (and writes).
 * Python's `read_text` turns every line ending into `\n`, `str.rstrip()`
 * strips Python's whitespace set, and sections in shared files are delimited
 * by `<!-- BEGIN AAM: NAME KIND -->` … `<!-- END AAM: NAME KIND -->`.
 */

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

export function markers(name: string, kind: string): { begin: string; end: string } {
  return { begin: `<!-- BEGIN AAM: ${name} ${kind} -->`, end: `<!-- END AAM: ${name} ${kind} -->` };
}

/** What `_upsert_marker_section` writes for `content` into a file that holds `existing` (undefined: no file). */
export function upsertSection(existing: string | undefined, name: string, kind: string, content: string): string {
  const { begin, end } = markers(name, kind);
  const block = `${begin}\n${pyRstrip(content)}\n${end}\n`;
  if (existing === undefined) return block;
  const b = existing.indexOf(begin);
  const e = existing.indexOf(end);
  if (b >= 0 && e >= 0) {
    const before = existing.slice(0, b);
    const after = lstripChars(existing.slice(e + end.length), '\n');
    let next = `${rstripChars(before, '\n')}\n\n${block}`;
    if (after.trim()) next += `\n${after}`;
    return next;
  }
  return `${rstripChars(existing, '\n')}\n\n${block}`;
}

/**
 * The section's body as deployed in `existing`, or undefined when its markers
 * are not both there. Only what is between the markers is the package's: text
 * outside them is the user's own.
 */
export function sectionBody(existing: string, name: string, kind: string): string | undefined {
  const { begin, end } = markers(name, kind);
  const b = existing.indexOf(begin);
  const e = existing.indexOf(end);
  if (b < 0 || e < 0 || e < b + begin.length) return undefined;
  return existing.slice(b + begin.length, e);
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
