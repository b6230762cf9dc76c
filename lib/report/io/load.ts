// The files a report reads besides traces: the rules config and the baseline. Each problem is an
// InputError naming the file (and the path inside it), which the shell turns into exit code 2.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseConfig, type FaultlineConfig } from '../../analysis/findings/index.ts';
import { parseBaseline, type Baseline } from '../baseline.ts';
import { InputError } from './files.ts';

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new InputError(`${what} ${file}: no such file`);
    if (e.code === 'EISDIR') throw new InputError(`${what} ${file}: is a directory`);
    throw new InputError(`${what} ${file}: cannot read: ${e.message}`);
  }
}

export async function loadConfig(file: string): Promise<FaultlineConfig> {
  const text = await readText(file, '--config');
  const format = /\.ya?ml$/i.test(file) ? 'yaml' : /\.json$/i.test(file) ? 'json' : undefined;
  if (!format) throw new InputError(`--config ${file}: expected a .json, .yaml or .yml file`);
  const r = parseConfig(text, format, file);
  if (!r.ok) throw new InputError(`invalid configuration:\n  ${r.errors.join('\n  ')}`);
  return r.config;
}

export async function loadBaseline(file: string): Promise<Baseline> {
  const r = parseBaseline(await readText(file, '--baseline'), file);
  if (!r.ok) throw new InputError(`--baseline ${r.error}`);
  return r.baseline;
}

/** Writes a report output; the directory is created (CI artifact paths often do not exist yet). */
export async function writeOutput(file: string, text: string, what: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  } catch (err) {
    throw new InputError(`${what} ${file}: cannot write: ${(err as Error).message}`);
  }
}
