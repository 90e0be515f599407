// How long one package takes to load in a new process, as an ES import() or through require:
//   node bench/prototypes/module-load.mjs import|require <package>
// (Node lexes a CommonJS package for its export names when it is imported, not when it is required.)
import { createRequire } from 'node:module';
const how = process.argv[2], mod = process.argv[3];
const c = process.cpuUsage(); const t = performance.now();
if (how === 'import') await import(mod); else createRequire(import.meta.url)(mod);
const u = process.cpuUsage(c);
console.log(how, mod, (performance.now() - t).toFixed(1), 'ms', ((u.user + u.system) / 1000).toFixed(1), 'ms cpu');
