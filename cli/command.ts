// The shape every `faultline <command>` has: its options (for strict parsing), its help
// text (flags and examples), and run(), which returns the exit code.
import type { OptionSpec, ParsedArgs } from './args.ts';
import type { CliIo } from './io.ts';

export interface Command {
  name: string;
  /** One line for `faultline --help`. */
  summary: string;
  options: OptionSpec;
  allowPositionals: boolean;
  /** Full help: usage, description, options, environment, examples. */
  help: string;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
