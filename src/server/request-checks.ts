import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiFailure } from './errors.ts';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../core/model/json-depth.ts';

/** Headers that must say one thing: a second copy is refused, not silently dropped or preferred. */
export const SINGLE_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'content-type',
  'content-length',
  'x-aam-admin-key',
]);

/**
 * Checks on the request as sent, before any route sees it: dot segments
 * (which URL parsing would quietly resolve), encoded slashes, control
 * characters and empty segments in the path, and a header sent twice.
 */
export function checkRawRequest(request: FastifyRequest): void {
  const rawPath = (request.raw.url ?? '/').split('?')[0]!;
  const segments = rawPath.split('/').slice(1);
  if (segments.some((segment) => /^(\.|%2e){1,2}$/i.test(segment)))
    throw new ApiFailure(400, 'bad_request', 'The path has a dot segment.');
  let decoded: string[];
  try {
    decoded = segments.map(decodeURIComponent);
  } catch {
    throw new ApiFailure(400, 'bad_request', 'The path is not valid percent-encoding.');
  }
  // oxlint-disable-next-line no-control-regex -- a control character in a path segment is refused
  if (decoded.some((s, i) => (s === '' && i < decoded.length - 1) || /[\u0000-\u001f\\/]/.test(s)))
    throw new ApiFailure(400, 'bad_request', 'The path has an empty, encoded-slash or control-character segment.');
  const seen = new Set<string>();
  const raw = request.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!SINGLE_HEADERS.has(name)) continue;
    if (seen.has(name)) throw new ApiFailure(400, 'bad_request', `The ${name} header was sent twice.`);
    seen.add(name);
  }
}

/**
 * JSON bodies through Fastify's own parser (which refuses `__proto__` and
 * `constructor.prototype` keys), then refused when an object names a key
 * twice: JSON.parse would keep the last one, and a request must not say
 * two things at once. Keys are compared decoded, so `"a"` and `"\u0061"`
 * are the same key.
 */
export function installJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    // Before the parse: JSON.parse of a million nested arrays (2 MB) holds the only thread for most of a second.
    if (nestedDeeperThan(text, MAX_JSON_DEPTH))
      return done(
        new ApiFailure(
          400,
          'bad_request',
          `The body nests more than ${MAX_JSON_DEPTH} arrays or objects in one another.`,
        ),
      );
    parse(request, text, (error, value) => {
      if (error) return done(new ApiFailure(400, 'bad_request', `The body is not JSON: ${error.message}`));
      const duplicate = duplicateKey(text);
      if (duplicate !== undefined)
        return done(new ApiFailure(400, 'bad_request', `The body names "${duplicate}" twice in one object.`));
      done(null, value);
    });
  });
}

/** The first key named twice in one object of a valid JSON text, if any. */
export function duplicateKey(text: string): string | undefined {
  // Each open container: the keys seen so far (objects), or undefined (arrays).
  const stack: (Set<string> | undefined)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(undefined);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = stack.at(-1);
      let next = end + 1;
      while (next < text.length && ' \t\n\r'.includes(text[next]!)) next++;
      // A string is a key when it is inside an object and a colon follows it.
      if (keys && text[next] === ':') {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = end;
    }
  }
  return undefined;
}
