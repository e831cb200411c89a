import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { AamError } from '../core/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict option parsing; an unknown flag is a usage error (exit 2) that names the command's help. */
export function parse<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new AamError('USAGE', usageMessage(command, error as Error & { code?: string }, options), {
      hint: `Run "aam-trust ${command} --help" for usage.`,
    });
  }
}

/** Node's parseArgs text, said the way the rest of the CLI speaks: what was wrong, and what is accepted. */
function usageMessage(command: string, error: Error & { code?: string }, options: Options): string {
  const flag = /'(-[^' ]*)/.exec(error.message)?.[1];
  const known = Object.keys(options)
    .map((name) => `--${name}`)
    .join(', ');
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `"aam-trust ${command}" has no option ${flag ?? ''} (its options: ${known}).`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return flag && options[flag.replace(/^-+/, '')]?.type === 'string'
        ? `The option ${flag} needs a value, as in ${flag} VALUE.`
        : `The option ${flag ?? ''} takes no value.`;
    default:
      return error.message;
  }
}

export const COMMON = {
  project: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The value of --checksum (the archive the user reviewed): "sha256:" and 64 hex digits, or absent. */
export function checksumOption(value: string | undefined): string | undefined {
  if (value !== undefined && !/^sha256:[0-9a-fA-F]{64}$/.test(value))
    throw new AamError('USAGE', `--checksum takes sha256: and 64 hex digits, not "${value}".`);
  return value;
}
