// The benchmark monitor a prototype script measures, from its command line:
//   (default) the binary-classification monitor of bench/project.ts
//   --score-bins N       the same with approximate_ranking (its ranking metric rows then differ, by design)
//   --type regression    the regression monitor on the same data
//   --type multiclass    a three-class monitor on the same data, through the sources' sql:
//   --type forecast      daily forecasts per series on the same data, through the sources' sql:
//   --type recommendation  a list of 10 items per prediction event, through the sources' sql:
import { normalizeMonitor } from '../../src/config/monitor.js';
import { monitorSchema } from '../../src/config/schema.js';
import { benchMonitorConfig } from '../project.js';

export function flagValue(name: string, argv = process.argv): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

export function benchMonitorFromFlags(argv = process.argv) {
  const bins = flagValue('score-bins', argv);
  const type = flagValue('type', argv);
  const config = benchMonitorConfig(type, bins ? Number(bins) : undefined);
  return normalizeMonitor(monitorSchema.parse(config) as never, 'bench.yml', {});
}
