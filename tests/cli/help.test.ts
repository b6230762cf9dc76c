// The command surface (ARCHITECTURE.md §3 names are public promises): help, version, usage errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/main.ts';
import { ROOT, runCli } from './run-cli.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

const FLAGS: Record<string, string[]> = {
  serve: ['--port', '--otlp-port', '--db', '--host', '--retention', 'FAULTLINE_PORT', 'FAULTLINE_OTLP_PORT', 'FAULTLINE_DB', 'FAULTLINE_RETENTION'],
  collector: ['--otlp-port', '--db', '--host', '--retention', 'FAULTLINE_OTLP_PORT', 'FAULTLINE_DB', 'FAULTLINE_RETENTION'],
  import: ['FILE…', '--db', 'FAULTLINE_DB', 'JSON-lines', 'Zipkin', 'Jaeger'],
};

describe('faultline --help and --version', () => {
  it('lists exactly the registered commands, each of which answers --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^faultline \d+\.\d+\.\d+/);
    const commands = [...r.stdout.split('Commands:')[1].split('\n\n')[0].matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]);
    expect(commands).toEqual([...COMMANDS.map((c) => c.name), 'help']);
    expect(commands.slice(0, 3)).toEqual(['serve', 'collector', 'import']);
    for (const c of COMMANDS) {
      const help = await runCli([c.name, '--help']);
      expect(help.code, c.name).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: faultline ${c.name}\\b`));
    }
    expect(r.stdout).toContain('Exit codes: 0 success, 1 runtime failure, 2 usage or input error.');
  });

  it('prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`faultline ${pkg.version}\n`);
  });

  it.each(Object.entries(FLAGS))('faultline %s --help names every flag and has examples', async (cmd, flags) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: faultline ${cmd} `));
    for (const f of flags) expect(r.stdout).toContain(f);
    expect(r.stdout).toContain('Examples:');
    const viaHelp = await runCli(['help', cmd]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(r.stdout);
  });

  it.each(['serve', 'collector', 'import'])('faultline %s with an unknown flag exits 2 and points at its help', async (cmd) => {
    const r = await runCli([cmd, '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`faultline ${cmd}: unknown option --bogus; see faultline ${cmd} --help\n`);
    expect(r.stdout).toBe('');
  });

  it('an unknown command exits 2 with the list of commands', async () => {
    const r = await runCli(['frobnicate', '--input', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown command 'frobnicate'. Commands: ${[...COMMANDS.map((c) => c.name), 'help'].join(', ')}`);
    expect((await runCli(['help', 'nope'])).code).toBe(2);
  });

  it('no command prints the help and exits 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Usage: faultline <command>');
  });

  it('bad values are usage errors (exit 2)', async () => {
    const port = await runCli(['collector', '--otlp-port', '99999']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain("--otlp-port must be a port number from 0 to 65535, got '99999'");
    const envPort = await runCli(['serve'], { env: { FAULTLINE_PORT: 'eighty' } });
    expect(envPort.code).toBe(2);
    expect(envPort.stderr).toContain("FAULTLINE_PORT must be a port number from 0 to 65535, got 'eighty'");
    const missing = await runCli(['import', '--db']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--db needs a value; see faultline import --help');
    const extra = await runCli(['collector', 'extra']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("unexpected argument 'extra'");
    const retention = await runCli(['collector', '--retention', '7 days']);
    expect(retention.code).toBe(2);
    expect(retention.stderr).toContain("--retention must be a duration like 7d, 12h or 30m (or 0 to keep everything), got '7 days'");
    const noFiles = await runCli(['import']);
    expect(noFiles.code).toBe(2);
    expect(noFiles.stderr).toContain('import needs at least one FILE');
  });

  it('npx faultline resolves the checkout’s own bin', async () => {
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      import('node:child_process').then(({ execFile }) => {
        execFile('npx', ['--no-install', 'faultline', '--version'], { cwd: ROOT }, (err, stdout) => {
          if (err && typeof err.code !== 'number') reject(err);
          else resolve({ code: err ? (err.code as number) : 0, stdout });
        });
      }, reject);
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`faultline ${pkg.version}\n`);
  });
});
