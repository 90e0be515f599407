// Part of `npm run build`, after tsc: compiles the templates of models/ and macros/ to JavaScript in
// dist/templates.cjs (src/compiler/precompiled-templates.ts says why and how it stays correct).
import { writeFileSync } from 'node:fs';
import { PACKAGE_ROOT, PRECOMPILED_TEMPLATES } from '../dist/compiler/environment.js';
import { precompiledModule } from '../dist/compiler/precompiled-templates.js';

writeFileSync(PRECOMPILED_TEMPLATES, precompiledModule(PACKAGE_ROOT));
