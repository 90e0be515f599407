// Templates reach dialect functions through `d` (src/compiler/environment.ts): a dialect's own
// function first, then the default's, and a function neither has fails with what was tried.
import { describe, expect, it } from 'vitest';
import { dispatching, templateEnvironment } from '../../src/compiler/environment.js';
import { defaultDialect, type Dialect } from '../../src/dialects/dialect.js';
import { dialectFor } from '../../src/dialects/index.js';

const render = (source: string, dialect: string) => templateEnvironment().renderString(source, { d: dispatching(dialectFor(dialect)) });

describe('dialect dispatch', () => {
  it("uses the dialect's override, else the default's function", () => {
    // DuckDB overrides intDivide; Postgres takes the default's
    expect(render("{{ d.intDivide('a', 'b') }}", 'duckdb')).toBe('(a) // (b)');
    expect(render("{{ d.intDivide('a', 'b') }}", 'postgres')).toBe('(a) / (b)');
    // a default function that calls another through `this` gets the dialect's override
    expect(render("{{ d.toDouble('x') }}", 'duckdb')).toBe('cast(x as double)');
    expect(render("{{ d.toDouble('x') }}", 'postgres')).toBe('cast(x as double precision)');
  });

  it('falls back to the default for whatever a dialect object lacks', () => {
    // a dialect given as only its differences: the default's divide() calls toDouble() through
    // `this`, and so uses the dialect's double type
    const custom = { name: 'custom', types: { ...defaultDialect.types, double: 'float64' } } as unknown as Dialect;
    expect(templateEnvironment().renderString("{{ d.divide('a', 'b') }}", { d: dispatching(custom) })).toBe('cast(a as float64) / nullif(b, 0)');
  });

  it('names what it tried when neither has the function', () => {
    expect(() => render("{{ d.noSuchFunction('x') }}", 'snowflake')).toThrow(
      'SQL function "noSuchFunction" has no implementation; tried snowflake.noSuchFunction, default.noSuchFunction (src/dialects/)',
    );
  });

  it('is built once per dialect', () => {
    expect(dispatching(dialectFor('bigquery'))).toBe(dispatching(dialectFor('bigquery')));
    expect(dispatching(dialectFor('bigquery'))).not.toBe(dispatching(dialectFor('duckdb')));
  });
});
