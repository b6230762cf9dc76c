#!/usr/bin/env node
// The `faultline` command. The CLI is TypeScript; tsx compiles it on the fly so a checkout
// needs no build step before `npx faultline …` works.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
