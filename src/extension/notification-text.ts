import * as vscode from 'vscode';

/**
 * Words for VS Code's notifications (`show*Message`, and progress shown as a
 * notification) that carry data we do not control: a lock file's names and
 * versions (a pull request writes them), a registry's answers, a signer's
 * identity. A notification is not Markdown, its message is set as text, but
 * VS Code first makes a link of each `[label](target)` whose target starts
 * `http://`, `https://`, `command:` or `file:` (LINK_REGEX in
 * vs/base/common/linkedText.ts, run after line breaks become spaces) and
 * opens it with command links allowed. A datum could so put a link in our
 * words that runs any command with its arguments.
 *
 * Every such link has a `]` right before a `(`: a space between the two, in
 * the datum, breaks it and leaves the text as it reads. Nothing invisible is
 * added. Modal dialogs set their text as is and make no links, but keep line
 * breaks and bidi controls: data in a modal's detail goes through visible()
 * (core/messages/shown-text.ts), so it cannot draw lines of its own.
 */

/**
 * `text`, which cannot be part of a notification's link: a space after each
 * `]` that a `(` follows, or that ends it, and before a `(` that starts it
 * (the words around a datum, or the next datum, could supply the other half).
 */
export function inert(text: string): string {
  return text.replace(/\](?=\(|$)/g, '] ').replace(/^\(/, ' (');
}

/** A notification's words, translated, with each datum made inert: `notice('Installed {0}.', label)`. */
export function notice(words: string, ...data: (string | number)[]): string {
  return vscode.l10n.t(words, ...data.map((d) => (typeof d === 'string' ? inert(d) : d)));
}
