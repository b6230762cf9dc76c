// `faultline report`: analyze trace files (or a running server) and gate a build on the findings.
// Also the shared half of `check`: the report flags, and turning a ReportSource into outputs and
// an exit code. Exit codes (docs/ci.md): 0 clean, 1 findings at or above --fail-on, 2 usage or
// input error.
import { appendFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FaultlineConfig } from '../lib/analysis/findings/index.ts';
import { EMPTY_CONFIG, type Severity } from '../lib/analysis/findings/index.ts';
import { buildReport, createBaseline, DEFAULT_FAIL_ON, EXIT, exitCodeOf, githubAnnotations, parseSeverity, render, REPORT_FORMATS, sourceFromAnalysis, type Baseline, type ReportFormat, type ReportSource } from '../lib/report/index.ts';
import { analyzeFiles, InputError, resolveInputs } from '../lib/report/io/files.ts';
import { loadBaseline, loadConfig, writeOutput } from '../lib/report/io/load.ts';
import { sourceFromServer } from '../lib/report/io/server.ts';
import { stringOption, UsageError, type OptionSpec, type ParsedArgs } from './args.ts';
import type { Command } from './command.ts';
import type { CliIo } from './io.ts';
import { version } from './version.ts';

/** Flags `report` and `check` share. */
export const REPORT_FLAG_SPEC: OptionSpec = {
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o', multiple: true },
  'fail-on': { type: 'string' },
  config: { type: 'string', short: 'c' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  'allow-empty': { type: 'boolean' },
  'sarif-artifact': { type: 'string' },
};

export const REPORT_FLAGS_HELP = `  -f, --format FORMAT        what to print on stdout: text (default), markdown, json, sarif, junit
  -o, --output FORMAT=FILE   also write FORMAT to FILE (repeatable), e.g. --output sarif=faultline.sarif
                             --output junit=reports/faultline.xml; a bare --output FILE writes the
                             --format output to FILE instead of stdout
      --fail-on SEVERITY     fail (exit 1) on findings at or above: info, low, medium, high (default high)
  -c, --config FILE          rule settings and architecture rules: faultline.config.json / .yaml
                             (docs/config.md)
      --baseline FILE        only findings not in this baseline count toward --fail-on; the report
                             shows the drift since it (new/removed edges, new shared databases,
                             deeper chains, new cycles)
      --write-baseline FILE  save this run's findings and graph as a baseline
      --allow-empty          accept an analysis of zero spans (by default an input error: a gate
                             that saw no data must not pass)
      --sarif-artifact PATH  repository file SARIF results are anchored to (GitHub code scanning
                             needs a file location); default: the --config file`;

export interface ReportFlags {
  stdoutFormat: ReportFormat;
  /** Where the --format output goes instead of stdout (a bare --output FILE). */
  stdoutFile?: string;
  outputs: { format: ReportFormat; file: string }[];
  failOn: Severity;
  configFile?: string;
  baselineFile?: string;
  writeBaseline?: string;
  allowEmpty: boolean;
  /** Repository-relative, `/`-separated: the file SARIF results are anchored to. */
  sarifArtifact?: string;
}

function parseFormat(raw: string, flag: string): ReportFormat {
  const f = raw.trim().toLowerCase() === 'md' ? 'markdown' : raw.trim().toLowerCase();
  if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`${flag}: unknown format '${raw}'; expected one of ${REPORT_FORMATS.join(', ')}`);
  return f as ReportFormat;
}

export function parseReportFlags(values: ParsedArgs['values']): ReportFlags {
  const stdoutFormat = typeof values.format === 'string' ? parseFormat(values.format, '--format') : 'text';
  const outputs: ReportFlags['outputs'] = [];
  let stdoutFile: string | undefined;
  for (const raw of (values.output as string[] | undefined) ?? []) {
    const m = /^([a-zA-Z]+)=(.*)$/.exec(raw);
    if (m && (REPORT_FORMATS as readonly string[]).concat('md').includes(m[1].toLowerCase())) {
      if (m[2] === '') throw new UsageError(`--output ${raw}: needs a file after '='`);
      outputs.push({ format: parseFormat(m[1], '--output'), file: m[2] });
    } else if (m && !raw.includes('/')) {
      throw new UsageError(`--output ${raw}: unknown format '${m[1]}'; expected FORMAT=FILE with FORMAT one of ${REPORT_FORMATS.join(', ')}`);
    } else {
      if (stdoutFile) throw new UsageError(`--output: only one bare --output FILE (for --format); use FORMAT=FILE for more`);
      if (raw === '') throw new UsageError('--output needs a file');
      stdoutFile = raw;
    }
  }
  const files = [...outputs.map((o) => o.file), ...(stdoutFile ? [stdoutFile] : [])];
  const dup = files.find((f, i) => files.indexOf(f) !== i);
  if (dup) throw new UsageError(`--output: ${dup} is named twice`);
  let failOn = DEFAULT_FAIL_ON;
  if (typeof values['fail-on'] === 'string') {
    const s = parseSeverity(values['fail-on']);
    if (!s) throw new UsageError(`--fail-on: unknown severity '${values['fail-on']}'; expected info, low, medium or high`);
    failOn = s;
  }
  return {
    stdoutFormat,
    stdoutFile,
    outputs,
    failOn,
    configFile: stringOption(values.config),
    baselineFile: stringOption(values.baseline),
    writeBaseline: stringOption(values['write-baseline']),
    allowEmpty: values['allow-empty'] === true,
    sarifArtifact: sarifArtifactOf(stringOption(values['sarif-artifact']) ?? stringOption(values.config)),
  };
}

/** A path as a SARIF artifact URI: relative to the working directory (the checkout in CI), `/`-separated. */
function sarifArtifactOf(file: string | undefined): string | undefined {
  if (!file) return undefined;
  const rel = relative(process.cwd(), resolve(file));
  const uri = (rel.startsWith('..') || isAbsolute(rel) ? resolve(file) : rel).split(sep).join('/');
  return encodeURI(uri);
}

/** The config and the baseline, read before any analysis so a typo fails fast. */
export async function loadReportFiles(flags: ReportFlags): Promise<{ config: FaultlineConfig; baseline?: Baseline }> {
  const config = flags.configFile ? await loadConfig(flags.configFile) : EMPTY_CONFIG;
  const baseline = flags.baselineFile ? await loadBaseline(flags.baselineFile) : undefined;
  return { config, baseline };
}

export interface EmitContext {
  command: 'report' | 'check';
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal (text colour). */
  stdoutIsTTY: boolean;
}

/** Builds the report, prints and writes every output; returns the exit code (0, 1 or 2). */
export async function emitReport(src: ReportSource, flags: ReportFlags, baseline: Baseline | undefined, io: CliIo, ctx: EmitContext): Promise<number> {
  if (src.spans === 0 && !flags.allowEmpty) {
    io.err(
      `faultline ${ctx.command}: no spans to analyze${ctx.command === 'check' ? ' (the command sent no traces to the collector: is it instrumented with OpenTelemetry and does it flush before exiting?)' : ''}; ` +
        'a gate that saw no data does not pass. Use --allow-empty to accept it\n',
    );
    return EXIT.usage;
  }
  const report = buildReport(src, { failOn: flags.failOn, toolVersion: version(), baseline: baseline && flags.baselineFile ? { name: flags.baselineFile, baseline } : undefined });
  const color = ctx.stdoutIsTTY && !flags.stdoutFile && !ctx.env.NO_COLOR;
  const main = render(report, flags.stdoutFormat, { color, sarifArtifact: flags.sarifArtifact });
  for (const o of flags.outputs) await writeOutput(o.file, render(report, o.format, { sarifArtifact: flags.sarifArtifact }), `--output ${o.format}=`);
  if (flags.stdoutFile) await writeOutput(flags.stdoutFile, main, '--output');
  else io.out(main);
  if (flags.writeBaseline) await writeOutput(flags.writeBaseline, JSON.stringify(createBaseline(report), null, 2) + '\n', '--write-baseline');
  if (ctx.env.GITHUB_ACTIONS === 'true') {
    // Workflow commands on stderr: the runner reads them there too, and stdout stays the report.
    io.err(githubAnnotations(report));
    const summary = ctx.env.GITHUB_STEP_SUMMARY;
    if (summary) {
      try {
        await appendFile(summary, render(report, 'markdown') + '\n');
      } catch (err) {
        io.err(`faultline ${ctx.command}: cannot append the job summary to ${summary}: ${(err as Error).message}\n`);
      }
    }
  }
  const outputsNote = [...flags.outputs.map((o) => `${o.format} → ${o.file}`), ...(flags.stdoutFile ? [`${flags.stdoutFormat} → ${flags.stdoutFile}`] : []), ...(flags.writeBaseline ? [`baseline → ${flags.writeBaseline}`] : [])];
  if (outputsNote.length > 0) io.err(`faultline ${ctx.command}: wrote ${outputsNote.join(', ')}\n`);
  return exitCodeOf(report);
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'analyze trace files or a running server for architecture smells; fail a CI build on them',
  allowPositionals: false,
  options: {
    input: { type: 'string', short: 'i', multiple: true },
    server: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    ...REPORT_FLAG_SPEC,
  },
  help: `Usage: faultline report --input FILE… [options]
       faultline report --server URL [--from TIME] [--to TIME] [options]

Analyzes traces for distributed-monolith smells (shared databases, long synchronous chains,
cycles, N+1 calls, …; see docs/config.md) and fails a build on them. Files are streamed, so
size is not a limit: OTLP JSON / JSON-lines, Zipkin v2 JSON, Jaeger JSON, optionally gzipped.

Input:
  -i, --input FILE           a trace file (repeatable; globs like 'traces/**/*.jsonl' are
                             expanded, quoted or not). All files are analyzed as one data set.
      --server URL           a running faultline (serve): its findings and graph over a window
      --from TIME, --to TIME the window for --server: RFC 3339 or epoch ms (default: last 15 min)

Report:
${REPORT_FLAGS_HELP}
  -h, --help                 show this help

Environment:
  NO_COLOR             no colour in text output (colour is used only when stdout is a terminal)
  GITHUB_ACTIONS=true  also print ::error/::warning annotations (stderr) and append the markdown
                       report to $GITHUB_STEP_SUMMARY

Exit codes: 0 nothing (new) at or above --fail-on, 1 findings at or above it,
            2 usage or input error (bad flag, missing/empty/truncated/non-trace file, invalid
            config or baseline, unreachable server, no spans without --allow-empty).

Examples:
  faultline report --input traces.jsonl
  faultline report -i 'otel/*.json' --fail-on medium --output sarif=faultline.sarif --output junit=faultline.xml
  faultline report -i traces.jsonl --config faultline.config.yaml --baseline .faultline/baseline.json
  faultline report -i traces.jsonl --write-baseline .faultline/baseline.json --fail-on info --allow-empty
  faultline report --server http://127.0.0.1:3000 --from 2026-11-22T04:00:00Z --format markdown
`,
  async run({ values }, io) {
    const flags = parseReportFlags(values);
    const inputs = (values.input as string[] | undefined) ?? [];
    const server = stringOption(values.server);
    if (inputs.length === 0 && !server) throw new UsageError('report needs --input FILE (repeatable) or --server URL; see faultline report --help');
    if (inputs.length > 0 && server) throw new UsageError('--input and --server are alternatives: analyze files or a server, not both');
    if (!server && (values.from !== undefined || values.to !== undefined)) throw new UsageError('--from/--to select the window of --server; files are analyzed whole');
    if (server && flags.configFile) {
      throw new UsageError('--config applies to --input; a server analyzes with its own configuration (FAULTLINE_CONFIG or ./faultline.config.json where it runs)');
    }
    try {
      const { config, baseline } = await loadReportFiles(flags);
      let src: ReportSource;
      if (server) {
        const r = await sourceFromServer({ url: server, from: stringOption(values.from), to: stringOption(values.to) });
        if (r.sampled) io.err(`faultline report: the server analyzed only the newest ${r.source.spans} spans of the window (its span limit)\n`);
        src = r.source;
      } else {
        const files = await resolveInputs(inputs);
        const r = await analyzeFiles(files, { now: Date.now(), config });
        for (const reason of r.rejections) io.err(`faultline report: rejected spans: ${reason}\n`);
        src = sourceFromAnalysis(r.analysis, r.inputs);
      }
      return await emitReport(src, flags, baseline, io, { command: 'report', env: process.env, stdoutIsTTY: process.stdout.isTTY === true });
    } catch (err) {
      if (err instanceof InputError) {
        io.err(`faultline report: ${err.message}\n`);
        return EXIT.usage;
      }
      throw err;
    }
  },
};
