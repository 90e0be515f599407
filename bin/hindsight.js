#!/usr/bin/env node
// Entry point: the CLI is compiled to dist/ by `npm run build` (run by `npm install` through `prepare`).
import { main } from '../dist/cli/main.js';
// `hindsight show m | head`: the reader closed the pipe. What is left to print is dropped, without a
// stack, and the command goes on to its end (a run is not stopped halfway) and its own exit code.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
});
process.exitCode = await main(process.argv.slice(2));
