#!/usr/bin/env node
// Entry point: the CLI is compiled to dist/ by `npm run build` (run by `npm install` through `prepare`).
import { main } from '../dist/cli/main.js';
// `hindsight show m | head`: the reader has what it wanted and closed the pipe; stop without a stack.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});
process.exitCode = await main(process.argv.slice(2));
