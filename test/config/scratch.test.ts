import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { it } from 'vitest';
import { loadProject, loadTarget } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

function run(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'hs-'));
  for (const [f, t] of Object.entries(files)) { mkdirSync(dirname(join(dir, f)), { recursive: true }); writeFileSync(join(dir, f), t); }
  try { const p = loadProject(dir); loadTarget(p); return 'OK'; } catch (e) {
    if (e instanceof ConfigError) return e.message.split(relative(process.cwd(), dir) + '/').join('');
    throw e;
  }
}
const base = { 'hindsight.yml': 'name: p\nprofile: p\n', 'profiles.yml': 'p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n' };
const mon = (body: string) => ({ ...base, 'monitors/m.yml': body });
it('scratch', () => {
  console.log(run(mon(`monitors:
  - name: churn
    type: binary_classification
    predictions:
      relation: raw.predictions
      key: id
      timestamp: predicted_at
      scroe: p
      dedupe: newest
    outcomes:
      relation: raw.outcomes
      key: id
      timestamp: observed_at
      label: churned
    join:
      within: 7
      missing: zero
    granularty: day
    threshold: high
    segmnets: [{colum: region}]
`)));
  console.log(run(mon(`monitors:
  - name: churn
    type: binary_classification
    predictions:
      key: id
      score: p
    outcomes:
      relation: raw.outcomes
      sql: select 1
      key: [id, x]
      timestamp: observed_at
      label: churned
    granularity: [dya]
    segments: [{colum: region}, region, {column: r, top: many}]
`)));
  console.log(run(mon(`monitors:
  - name: churn
    type: binary_clasification
    predictions: {}
`)));
  console.log(run(mon(`monitors:
  - name: churn
    type: [binary_clasification
`)));
  console.log(run(mon(`monitors:
  - name: churn
    name: x
`)));
  console.log(run(mon(``)));
  console.log(run({ ...mon(`monitors: []`), 'profiles.yml': 'p:\n  outputs:\n    dev:\n      type: duckbd\n    x:\n      type: postgres\n      host: "{{ env_var(\'HS_NOPE\') }}"\n' }));
  console.log(run({ ...mon(`monitors: []`), 'hindsight.yml': 'name: p\nprofile: pp\nmonitor_paths: [x]\n' }));
});
