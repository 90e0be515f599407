// Which steps each problem type runs, and which template renders each step.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Monitor } from '../config/monitor.js';
import { PACKAGE_ROOT } from './environment.js';

/**
 * The steps of a problem type's pipeline, in order, before the write. A step renders
 * models/<problem type>/<step>.sql when that exists, else the shared models/<step>.sql (like dbt's
 * adapter.dispatch, by problem type); every type has its own models/<type>/metrics.sql. A type with
 * a different shape (forecasts, recommendations) lists its own steps here. The write step reads the
 * session tables `evaluations`, `data_quality` and `metrics`, so every pipeline makes those three.
 */
const SHARED_PIPELINE = ['prediction_events', 'outcome_events', 'outcome_matches', 'evaluations', 'data_quality', 'metrics'];
export const PIPELINES: Record<Monitor['type'], string[]> = {
  binary_classification: SHARED_PIPELINE,
  multiclass_classification: SHARED_PIPELINE,
  regression: SHARED_PIPELINE,
  // docs/semantics.md §5d: forecast rows and actuals, their evaluations, MASE's scales, the evaluations
  // with their scales as the metric step slices them (a table, so that Postgres has their statistics),
  // then as usual
  forecast: ['prediction_events', 'outcome_events', 'evaluations', 'mase_scales', 'data_quality', 'forecast_rows', 'metrics'],
  // docs/semantics.md §5e: list rows and interactions, which requests each interaction counts for,
  // the deduplicated lists with their gains, one evaluation per request, then as usual
  recommendation: ['prediction_events', 'outcome_events', 'outcome_matches', 'list_items', 'evaluations', 'data_quality', 'metrics'],
};

const templates = new Map<string, string>();

/** The template of a step: the problem type's own, else the shared one. */
export function stepTemplate(type: string, step: string): string {
  const own = `models/${type}/${step}.sql`;
  let template = templates.get(own);
  if (template === undefined) {
    template = existsSync(join(PACKAGE_ROOT, own)) ? own : `models/${step}.sql`;
    templates.set(own, template);
  }
  return template;
}
