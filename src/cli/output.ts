// Terminal output: timestamped progress lines like dbt's, and plain aligned tables.

export function line(text: string): void {
  const time = new Date().toISOString().slice(11, 19);
  process.stdout.write(`${time}  ${text}\n`);
}

export function dotted(label: string, result: string, width = 56): string {
  const dots = Math.max(3, width - label.length - result.length);
  return `${label} ${'.'.repeat(dots)} ${result}`;
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

export function formatNumber(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value)) return String(value);
  const text = value.toFixed(Math.abs(value) >= 100 ? 1 : 4);
  // (a tiny negative, such as a sum's rounding below 0, is no "-0.0000")
  return /^-0\.0+$/.test(text) ? text.slice(1) : text;
}
