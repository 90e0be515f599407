// Part of `npm run build`, after tsc: compiles the templates of models/ and macros/ to JavaScript in
// dist/templates.cjs (src/compiler/precompiled-templates.ts says why and how it stays correct).
// A template that does not compile is left out with a warning: it is rendered from its source, where
// the error shows (as it did before there was a bundle), and the build, hence `npm ci`, still succeeds.
import { PACKAGE_ROOT, PRECOMPILED_TEMPLATES } from '../dist/compiler/environment.js';
import { writePrecompiled } from '../dist/compiler/precompiled-templates.js';

writePrecompiled(PACKAGE_ROOT, PRECOMPILED_TEMPLATES, (name, error) =>
  console.warn(`hindsight build: ${name} does not compile, left out of ${PRECOMPILED_TEMPLATES}: ${error instanceof Error ? error.message : String(error)}`),
);
