// Every example under examples/ builds end to end on DuckDB with `hindsight build`, and its metric
// table has the model metrics of its problem type for every model version.
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openAdapter } from '../../src/adapters/index.js';
import { main } from '../../src/cli/main.js';
import { loadProjectAndTarget } from '../../src/config/load.js';

const examples = readdirSync('examples').filter((e) => !e.startsWith('.'));
const modelMetric = { binary_classification: 'roc_auc', multiclass_classification: 'f1_macro', regression: 'mae', forecast: 'mae', recommendation: 'ndcg@10' } as const;

describe.each(examples)('examples/%s', (example) => {
  it('builds on DuckDB and writes model metrics for each version', async () => {
    const dir = mkdtempSync(join(tmpdir(), `hindsight-${example}-`));
    cpSync(join('examples', example), dir, { recursive: true, filter: (src) => !src.includes(join(example, 'target')) });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(0);
    } finally {
      vi.restoreAllMocks();
    }
    const { project, target } = loadProjectAndTarget(dir);
    const adapter = await openAdapter(target.output);
    try {
      for (const monitor of project.monitors) {
        const rows = await adapter.query(
          `select model_version, count(*) as n from hindsight.hindsight_metrics where monitor = '${monitor.name}' and metric = '${modelMetric[monitor.type]}' and value is not null group by 1 order by 1`,
        );
        expect(rows.map((r) => r.model_version)).toEqual(['v1', 'v2']);
        for (const r of rows) expect(r.n).toBeGreaterThan(5);
      }
    } finally {
      await adapter.close();
    }
  });
});
