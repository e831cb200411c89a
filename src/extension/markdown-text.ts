/**
 * Markdown for hovers and tooltips that show data we do not control: a lock
 * file's names and versions (a pull request writes them), signer identities
 * and OpenPGP user IDs, a registry's answers, file paths from packages. Such
 * text must render as itself: no link, image, HTML, emphasis or heading of
 * its own, no theme icon, and no line break or bidi control to forge a line
 * with. The lock-file hover is trusted with command links, so there a datum
 * that formed a link would run a command with the datum's arguments.
 *
 * No `vscode` import: this is tested with plain Node.
 */
import { codeSpan, visible } from '../core/messages/shown-text.ts';

export { visible };

/**
 * Text that renders as itself in Markdown. Every ASCII punctuation character
 * is backslash-escaped (CommonMark renders `\x` as `x` for any of them), which
 * also breaks bare autolinks (`https\://`, `www\.`). A theme icon's `$(name)`
 * is escaped as VS Code escapes it, `\$(name)` whole: escaping its `(`, `-` or
 * `~` instead would leave `$(name)` after Markdown, which VS Code then draws.
 * Parentheses are left alone: with `[` and `]` escaped they open nothing.
 */
export function mdText(text: string): string {
  return visible(text).replace(/\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)|[!-'*-/:-@[-`{-~]/g, '\\$&');
}

/**
 * An inline code span that its content cannot close: the fence is one
 * backtick longer than the longest run inside. A value that holds `$(` is
 * shown as escaped text instead, as a code span cannot stop VS Code from
 * drawing `$(name)` as a theme icon.
 */
export function mdCode(text: string): string {
  const shown = visible(text);
  return shown.includes('$(') ? mdText(text) : codeSpan(shown);
}

const percent = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * A `command:` link from a label and arguments that we build: the label is
 * escaped, and the arguments JSON-encoded, then percent-encoded down to the
 * characters `encodeURIComponent` leaves (parentheses among them), so no datum
 * among them can end the link early and begin one of its own.
 */
export function commandLink(label: string, command: string, args: readonly unknown[]): string {
  return `[${mdText(label)}](command:${command}?${encodeURIComponent(JSON.stringify(args)).replace(/[!'()*]/g, percent)})`;
}

/** A link to a file, given its URI as `vscode.Uri.toString()` writes it: nothing in it can end the link. */
export function fileLink(label: string, uri: string): string {
  return `[${mdText(label)}](${uri.replace(/[()<>\\]/g, percent).replace(/\s/g, encodeURIComponent)})`;
}

/**
 * Data in a label that draws theme icons (a CodeLens title, a status bar item): `$(name)` in it
 * is escaped as VS Code escapes it, `\$(name)`, and shown as text. A GitHub Actions identity ends
 * in a branch name its publisher picks, and `$(pass-filled)` there would draw a green check.
 */
export function labelText(text: string): string {
  return visible(text).replace(/\$\(/g, '\\$(');
}
