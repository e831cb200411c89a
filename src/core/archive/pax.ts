import { invalid, utf8Text } from './tar-header.ts';

/** The records of one pax extended header, key → value; `paxProblem` says whether they may be applied. */
export type PaxRecords = Map<string, string>;

/**
 * Keys a local pax header ('x') may carry: the names and size this reader
 * applies exactly as tarfile does, and keys that change nothing that
 * `aam install` writes (times and owners, which its "data" filter drops).
 * Every other key is refused: tarfile acts on some of them (GNU.sparse.name
 * renames an entry, GNU.sparse.realsize resizes it), and another reader may
 * act on others.
 */
const LOCAL_KEYS = new Set([
  'path',
  'linkpath',
  'size',
  'mtime',
  'atime',
  'ctime',
  'uid',
  'gid',
  'uname',
  'gname',
  'comment',
  'hdrcharset',
]);

/** A global header ('g') applies to every later entry: no names, no sizes. */
const GLOBAL_KEYS = new Set(['mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname', 'comment', 'hdrcharset']);

const UTF8_CHARSET = 'ISO-IR 10646 2000 UTF-8';

/**
 * pax records, "<length> <key>=<value>\n", filling the data exactly. This
 * is stricter than either framing tarfile has used (3.11.7 skips the last
 * byte of a record whatever it is and stops quietly at anything it cannot
 * match; later versions check the newline and stop at a NUL), so that what
 * passes here reads the same in both.
 */
export function parsePax(data: Buffer): { records: PaxRecords; problem?: string } {
  const records: PaxRecords = new Map();
  let problem: string | undefined;
  let charsets = 0;
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const digits = space < 0 ? '' : data.toString('latin1', offset, space);
    if (!/^[0-9]{1,20}$/.test(digits)) throw invalid('a pax header is malformed');
    const length = Number(digits);
    if (length < 5 || offset + length > data.length) throw invalid('a pax header record has a bad length');
    const end = offset + length - 1;
    const equals = data.indexOf(0x3d, space + 1);
    if (equals <= space + 1 || equals >= end || data[end] !== 0x0a) throw invalid('a pax header record is malformed');
    const key = utf8Text(data.subarray(space + 1, equals));
    const value = utf8Text(data.subarray(equals + 1, end));
    offset += length;
    if (key === undefined || value === undefined) {
      problem ??= 'has a pax header record that is not valid UTF-8';
      continue;
    }
    if (key === 'hdrcharset') charsets++;
    if (key === 'hdrcharset' && value !== UTF8_CHARSET)
      problem ??= `has hdrcharset=${value}: names in other charsets are read differently by each tool`;
    records.set(key, value); // a key set twice: the last one counts, for tarfile (a dict) as here
  }
  // tarfile takes hdrcharset from the first record (3.11.7: from a search through the whole header, values included).
  if (countOf(data, 'hdrcharset=') > charsets) problem ??= 'has "hdrcharset=" inside a pax header value';
  return { records, problem };
}

/** Why the records of a local ('x') or global ('g') pax header are refused, if they are. */
export function paxProblem(records: PaxRecords, scope: 'local' | 'global'): string | undefined {
  for (const [key, value] of records) {
    if (key.startsWith('GNU.sparse.'))
      return `has the pax key "${key}" (a GNU sparse file), by which Python's tarfile renames or resizes the entry`;
    if (!(scope === 'local' ? LOCAL_KEYS : GLOBAL_KEYS).has(key))
      return scope === 'local'
        ? `has the pax key "${key}", which this reader does not apply`
        : `sets "${key}" for every later entry`;
    if (key === 'size' && !/^[0-9]{1,16}$/.test(value)) return `has a pax size that is not a decimal number`;
  }
  return undefined;
}

function countOf(data: Buffer, text: string): number {
  let count = 0;
  for (let at = data.indexOf(text); at >= 0; at = data.indexOf(text, at + 1)) count++;
  return count;
}
