import { describe, expect, it } from 'vitest';
import { pendingSchemaSql } from '../../lib/store/migrate/create.ts';

describe('prisma/schema.prisma and prisma/migrations', () => {
  it('agree: every table change in the schema has a migration (npm run db:migration -- <name>)', async () => {
    expect(await pendingSchemaSql()).toBe('');
  });
});
