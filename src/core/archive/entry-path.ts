import { AamError } from '../errors.ts';
import { MAX_PATH_DEPTH, MAX_PATH_LENGTH } from './limits.ts';

/**
 * The safe, normalised relative path of an archive entry, or an ARCHIVE_UNSAFE
 * error. Refuses absolute paths, `..`, backslashes, control characters and
 * excessive depth; a leading `./` (as GNU tar writes) is accepted.
 */
export function safeEntryPath(raw: string): string {
  const fail = (why: string) =>
    new AamError('ARCHIVE_UNSAFE', `Archive entry ${JSON.stringify(raw)} ${why}.`, {
      hint: 'The archive may be malicious. Do not install it; report it to the registry owner.',
    });
  if (raw.length === 0) throw fail('has an empty name');
  if (raw.length > MAX_PATH_LENGTH) throw fail(`has a name longer than ${MAX_PATH_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw fail('has control characters in its name');
  if (raw.includes('\\')) throw fail('uses backslashes, which some systems read as folder separators');
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) throw fail('is an absolute path');
  const segments = raw.split('/').filter((segment, i, all) => !(segment === '' && i === all.length - 1));
  if (segments[0] === '.') segments.shift();
  if (segments.length === 0) throw fail('names the archive root');
  if (segments.some((s) => s === '..')) throw fail('climbs out of the package with ".."');
  if (segments.some((s) => s === '' || s === '.')) throw fail('has empty or "." path segments');
  if (segments.length > MAX_PATH_DEPTH) throw fail(`is nested deeper than ${MAX_PATH_DEPTH} levels`);
  return segments.join('/');
}

/**
 * The key under which two names collide on a case-insensitive or
 * Unicode-normalising file system (macOS, Windows): extracting both would let
 * one silently replace the other. Each character is folded as those systems
 * fold it, one character to one: through its upper case, so that `ſ` is `s`
 * and `ς` is `σ` (lower-casing alone keeps both), while `ß` stays itself
 * (its upper case is two letters, which neither system makes of it).
 */
export function collisionKey(path: string): string {
  const text = path.normalize('NFC');
  if (ASCII.test(text)) return text.toLowerCase();
  let key = '';
  for (const char of text) {
    const upper = char.toUpperCase();
    key += [...upper].length === 1 ? upper.toLowerCase() : char.toLowerCase();
  }
  return key;
}

/** Printable ASCII, which lower-casing alone folds (anything else goes character by character). */
const ASCII = /^[ -~]*$/;
