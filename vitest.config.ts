import { defineConfig } from 'vitest/config';

// Integration tests start real servers and real SQLite files; give them room, and run
// test files in separate forks so a native module or a port never leaks between files.
export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['node_modules/**', '.next/**', 'data/**', 'tmp/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
