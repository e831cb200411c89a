import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { AamError } from '../core/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict option parsing; an unknown flag is a usage error (exit 2) that names the command's help. */
export function parse<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new AamError('USAGE', `${(error as Error).message.replace(/^.*?: /, '')}`, { hint: `Run "aam-trust ${command} --help" for usage.` });
  }
}

export const COMMON = {
  project: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
