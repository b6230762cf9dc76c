// One place turns command-line mistakes into exit code 2 with a message that says what to do.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** A usage mistake: printed to stderr, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** Strict parsing: unknown options and missing values are usage errors naming the command's help. */
export function parseCommandArgs(command: string, argv: string[], options: OptionSpec, allowPositionals: boolean): ParsedArgs {
  const see = `see faultline ${command} --help`;
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    const e = err as Error & { code?: string };
    const quoted = /'([^']+)'/.exec(e.message)?.[1];
    switch (e.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown option ${quoted ?? e.message}; ${see}`);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
        const name = quoted?.split(' ')[0] ?? 'an option';
        throw new UsageError(`${name} needs a value; ${see}`);
      }
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(`unexpected argument ${quoted ? `'${quoted}'` : ''}: faultline ${command} takes no arguments; ${see}`.replace('  ', ' '));
      default:
        throw new UsageError(`${e.message}; ${see}`);
    }
  }
}

/** A TCP port from a flag, an environment variable or a default; 0 means "any free port". */
export function portOption(name: string, flag: unknown, envName: string | undefined, fallback: number): number {
  const fromEnv = envName ? process.env[envName] : undefined;
  const raw = typeof flag === 'string' ? flag : fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
  if (raw === undefined) return fallback;
  const source = typeof flag === 'string' ? `--${name}` : envName;
  if (!/^\d{1,5}$/.test(raw.trim()) || Number(raw) > 65535) {
    throw new UsageError(`${source} must be a port number from 0 to 65535, got '${raw}'`);
  }
  return Number(raw);
}

export function stringOption(flag: unknown): string | undefined {
  return typeof flag === 'string' && flag !== '' ? flag : undefined;
}
