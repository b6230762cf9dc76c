// Loads Prisma's WebAssembly schema engine without `--experimental-wasm-modules`: the package's
// entry imports its .wasm as an ES module, which Node 20 cannot do by default, so we instantiate
// the .wasm ourselves and hand it to the generated bindings. Used only by the migration
// generator (a developer command), never on Faultline's open path.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

import type * as BgBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

type Bindings = typeof BgBindings;
export type { SchemaEngine };

let loaded: Promise<Bindings> | undefined;

function loadBindings(): Promise<Bindings> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const dir = path.dirname(bgPath);
    const bindings = (await import(pathToFileURL(bgPath).href)) as Bindings & {
      __wbg_set_wasm(w: unknown): void;
    };
    const bytes = readFileSync(path.join(dir, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bindings;
  })();
  return loaded;
}

export interface ConnectedEngine {
  engine: SchemaEngine;
  /** The driver error behind an engine message "External error id#N". */
  explain(err: unknown): string;
}

/** A schema engine connected to the SQLite file at `url` (`file:` URL), with `schema` as its datamodel. */
export async function openSchemaEngine(url: string, schema: { path: string; content: string }): Promise<ConnectedEngine> {
  const { SchemaEngine } = await loadBindings();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaBetterSqlite3({ url }));
  const explain = (err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    const id = /External error id#(\d+)/.exec(msg);
    const rec = id ? adapter.errorRegistry.consumeError(Number(id[1])) : undefined;
    return rec ? `${msg}\ncaused by: ${rec.error instanceof Error ? rec.error.stack : JSON.stringify(rec.error)} ${String((rec.error as {cause?: unknown}).cause ?? "")}` : msg;
  };
  const log = (msg: string) => {
    if (process.env.FAULTLINE_DEBUG_SCHEMA_ENGINE) process.stderr.write(`${msg}\n`);
  };
  const engine = await SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, log, adapter);
  return { engine, explain };
}
