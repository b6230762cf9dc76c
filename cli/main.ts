// `faultline <command>`: routes to one small file per command. The one place that maps
// failures to exit codes: 0 success, 1 findings or a runtime failure the command reports, 2 usage
// or input error, 70 a bug (EX_SOFTWARE): a crash must never read as "findings" to a CI gate.
import { parseCommandArgs, UsageError } from './args.ts';
import { checkCommand } from './check.ts';
import { collectorCommand } from './collector.ts';
import type { Command } from './command.ts';
import { demoCommand } from './demo.ts';
import { importCommand } from './import.ts';
import { processIo, type CliIo } from './io.ts';
import { reportCommand } from './report.ts';
import { serveCommand } from './serve.ts';
import { version } from './version.ts';

/** sysexits.h EX_SOFTWARE: an internal error, distinct from every documented outcome. */
export const EXIT_BUG = 70;

/** Registered commands, in the order `faultline --help` lists them. */
export const COMMANDS: readonly Command[] = [serveCommand, collectorCommand, importCommand, reportCommand, checkCommand, demoCommand];

function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 4) + 2;
  const rows = [...COMMANDS.map((c) => [c.name, c.summary]), ['help', 'show help for a command: faultline help <command>']];
  return `faultline ${version()}: observability and architecture analysis for microservices

Usage: faultline <command> [options]

Commands:
${rows.map(([n, s]) => `  ${n.padEnd(width)}${s}`).join('\n')}

Options:
  -h, --help     show this help (faultline <command> --help for a command's options)
  -v, --version  print the version

Exit codes: 0 success, 1 runtime failure, 2 usage or input error.

Examples:
  faultline serve
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node my-service.js
  faultline import traces.jsonl
  faultline report --input traces.jsonl --fail-on medium
  faultline check -- npm test
  faultline demo --server http://127.0.0.1:4318
`;
}

function unknownCommand(name: string, io: CliIo): number {
  io.err(`faultline: unknown command '${name}'. Commands: ${[...COMMANDS.map((c) => c.name), 'help'].join(', ')}. See faultline --help\n`);
  return 2;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.out(generalHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(`faultline ${version()}\n`);
    return 0;
  }
  if (first === 'help') {
    if (rest.length === 0 || rest[0] === 'help') {
      io.out(generalHelp());
      return 0;
    }
    const cmd = findCommand(rest[0]);
    if (!cmd) return unknownCommand(rest[0], io);
    io.out(cmd.help);
    return 0;
  }
  if (first.startsWith('-')) {
    io.err(`faultline: unknown option ${first}; see faultline --help\n`);
    return 2;
  }
  const cmd = findCommand(first);
  if (!cmd) return unknownCommand(first, io);
  try {
    const args = parseCommandArgs(cmd.name, rest, cmd.options, cmd.allowPositionals);
    if (args.values.help === true) {
      io.out(cmd.help);
      return 0;
    }
    return await cmd.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`faultline ${cmd.name}: ${err.message}\n`);
      return 2;
    }
    io.err(`faultline ${cmd.name}: unexpected failure (a bug in Faultline, please report it): ${(err as Error).stack ?? String(err)}\n`);
    return EXIT_BUG;
  }
}
