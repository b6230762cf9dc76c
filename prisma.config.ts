// Prisma CLI configuration (Prisma 7 reads the datasource URL from here, not the schema).
// Faultline itself never runs the Prisma CLI: it applies prisma/migrations on open
// (lib/store/migrate/apply.ts). This file is for `prisma migrate deploy` / `prisma studio`
// on a machine with internet, pointed at the same database Faultline uses.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

/** FAULTLINE_DB (a path or file: URL) as the file: URL Prisma expects; default ./data/faultline.db. */
function databaseUrl(): string {
  const db = process.env.FAULTLINE_DB?.trim() || './data/faultline.db';
  if (/^[a-z][a-z0-9+.-]*:/i.test(db)) return db;
  return `file:${path.resolve(db)}`;
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: databaseUrl() },
});
