/**
 * How deep JSON that someone else wrote may nest, checked before it is parsed: JSON.parse of a million nested
 * arrays (2 MB) holds the thread for most of a second. No document AAM Trust reads (a request body, a Sigstore
 * bundle, an approval, an attestation) needs a tenth of it.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether a text, JSON or not, opens more than `max` arrays or objects inside one another (strings skipped): one linear pass. */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string, to its closing quote (or the end of an unterminated one); an escaped character is skipped.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** JSON.parse of a text nested no deeper than `max`; throws, as JSON.parse does, for one that is. */
export function parseShallowJson(text: string, max: number = MAX_JSON_DEPTH): unknown {
  if (nestedDeeperThan(text, max)) throw new SyntaxError(`nested more than ${max} deep`);
  return JSON.parse(text);
}
