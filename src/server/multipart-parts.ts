import type { FastifyRequest } from 'fastify';
import { MAX_ARCHIVE_BYTES } from '../core/archive/limits.ts';
import { messageOf } from '../core/errors.ts';
import { READ_LIMITS } from '../core/fs/safe-read.ts';
import { ApiFailure } from './errors.ts';

/** One part of a multipart upload: a file (bytes) or a field (text), at most `max` bytes or characters. */
export interface MultipartPart {
  readonly kind: 'file' | 'field';
  readonly max: number;
  readonly description: string;
  readonly required?: boolean;
  readonly enum?: readonly string[];
}

export type MultipartParts = Readonly<Record<string, MultipartPart>>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The parts a multipart route reads: its limits and its OpenAPI request body both come from this. */
    multipart?: MultipartParts;
  }
}

const SIGNATURE_FILE = {
  kind: 'file',
  max: READ_LIMITS.signature,
  description: 'A Sigstore bundle or an armored OpenPGP signature.',
} as const;
const SIGNATURE_TYPE = {
  kind: 'field',
  max: 16,
  enum: ['sigstore', 'gpg'],
  description: 'What the signature is.',
} as const;
const PUBLIC_KEY = {
  kind: 'field',
  max: 256 * 1024,
  description: 'The armored OpenPGP public key that checks a GPG signature.',
} as const;

/** POST /packages (spec §3.3.5): the archive, its signature, and a new name's confirmation (§9.4). */
export const PUBLISH_PARTS = {
  archive: {
    kind: 'file',
    max: MAX_ARCHIVE_BYTES,
    required: true,
    description: `The .aam archive (at most ${MAX_ARCHIVE_BYTES / 1024 / 1024} MB).`,
  },
  signature: SIGNATURE_FILE,
  signature_type: SIGNATURE_TYPE,
  public_key: PUBLIC_KEY,
  confirm_name: {
    kind: 'field',
    max: 256,
    description:
      'The name of the popular package a new name resembles, to confirm the new name is meant (otherwise refused, naming it).',
  },
} as const satisfies MultipartParts;

/** POST /packages/{name}/{version}/signatures: another signature over a published version's archive. */
export const SIGNATURE_PARTS = {
  signature: { ...SIGNATURE_FILE, required: true },
  signature_type: SIGNATURE_TYPE,
  public_key: PUBLIC_KEY,
} as const satisfies MultipartParts;

type Named<P extends MultipartParts, K extends MultipartPart['kind']> = {
  [N in keyof P as P[N]['kind'] extends K ? N : never]: number;
};

/** Each part of one kind, by name, with its limit: what a route's reader takes. */
export function limitsOf<P extends MultipartParts, K extends MultipartPart['kind']>(parts: P, kind: K): Named<P, K> {
  return Object.fromEntries(
    Object.entries(parts)
      .filter(([, part]) => part.kind === kind)
      .map(([name, part]) => [name, part.max]),
  ) as Named<P, K>;
}

/** What @fastify/multipart may read at most for these parts. */
export function multipartLimits(parts: MultipartParts) {
  const all = Object.values(parts);
  const files = all.filter((p) => p.kind === 'file');
  const fields = all.filter((p) => p.kind === 'field');
  return {
    fileSize: Math.max(...files.map((p) => p.max)),
    files: files.length,
    fields: fields.length,
    parts: all.length,
    fieldSize: Math.max(...fields.map((p) => p.max)),
    headerPairs: 20,
  };
}

/** The parts as the JSON schema of a multipart/form-data request body (for the OpenAPI document). */
export function multipartSchema(parts: MultipartParts): object {
  return {
    type: 'object',
    required: Object.entries(parts)
      .filter(([, p]) => p.required)
      .map(([name]) => name),
    additionalProperties: false,
    properties: Object.fromEntries(
      Object.entries(parts).map(([name, p]) => [
        name,
        p.kind === 'file'
          ? { type: 'string', format: 'binary', maxLength: p.max, description: p.description }
          : { type: 'string', maxLength: p.max, description: p.description, ...(p.enum ? { enum: p.enum } : {}) },
      ]),
    ),
  };
}

/** The names of the parts, for a route's summary. */
export const partNames = (parts: MultipartParts): string => Object.keys(parts).join(', ');

/**
 * A multipart body as `read` takes it, part by part. An error raised while it
 * is read that is the body's own fault (no boundary, a part cut short, a bad
 * part header) is a 400 naming it, not an internal error; answers already
 * decided stay.
 */
export async function readMultipart<T>(
  request: FastifyRequest,
  read: (request: FastifyRequest) => Promise<T>,
): Promise<T> {
  try {
    return await read(request);
  } catch (error) {
    throw unreadableBody(error);
  }
}

function unreadableBody(error: unknown): unknown {
  if (error instanceof ApiFailure) return error;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return error;
  return new ApiFailure(400, 'bad_request', `The multipart body cannot be read: ${messageOf(error)}.`);
}
