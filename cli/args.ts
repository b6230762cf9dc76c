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

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration like `7d`, `12h`, `30m` in ms; `0` or `off` gives 0; undefined when not given. */
export function durationOption(name: string, flag: unknown, envName: string | undefined): number | undefined {
  const fromEnv = envName ? process.env[envName] : undefined;
  const raw = typeof flag === 'string' ? flag : fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
  if (raw === undefined) return undefined;
  const source = typeof flag === 'string' ? `--${name}` : envName;
  const text = raw.trim().toLowerCase();
  if (text === '0' || text === 'off') return 0;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m || Number(m[1]) === 0) throw new UsageError(`${source} must be a duration like 7d, 12h or 30m (or 0 to keep everything), got '${raw}'`);
  return Number(m[1]) * DURATION_UNITS[m[2]];
}

/** The shortest exact spelling of a duration in the units durationOption reads. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
