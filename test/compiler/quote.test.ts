// Identifier quoting, checked by the warehouse itself where one runs here: a quoted name with the
// quote character in it must name exactly that column.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { dialectFor } from '../../src/dialects/index.js';

const NAMES = ['plain', 'with space', 'we"ird', '""', 'a""b"', 'Mixed_Case'];

describe('identifier quoting', () => {
  it('DuckDB reads back every name as written', async () => {
    const d = dialectFor('duckdb');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const columns = NAMES.map((n, i) => `${i} as ${d.quote(n)}`).join(', ');
      const reader = await connection.runAndReadAll(`select ${columns}`);
      expect(reader.columnNames()).toEqual(NAMES);
    } finally {
      connection.closeSync();
    }
  });

  it('doubles the quote character, and only it', () => {
    for (const name of ['duckdb', 'postgres']) {
      const d = dialectFor(name);
      expect(NAMES.map((n) => d.quote(n))).toEqual(['"plain"', '"with space"', '"we""ird"', '""""""', '"a""""b"""', '"Mixed_Case"']);
    }
  });
});

// Snowflake stores an unquoted name upper-cased: the dialect leaves simple lower-case names unquoted
// so that they find such columns, and the adapter reports source columns under the name that
// reaches them (the pre-run column check compares those with the configuration).
describe('Snowflake names', () => {
  it('quotes what is not a simple lower-case name, reserved words too', () => {
    const d = dialectFor('snowflake');
    expect(['score', 'start', 'START', 'Mixed', 'with space'].map((n) => d.quote(n))).toEqual(['score', '"start"', '"START"', '"Mixed"', '"with space"']);
  });

  it('reports each source column under the name whose quoting reaches it, and a lower-case one under none', async () => {
    const { configuredName } = await import('../../src/adapters/snowflake.js');
    const d = dialectFor('snowflake');
    const stored = ['PREDICTION_ID', 'START', 'start', 'prediction_id', 'Mixed'];
    expect(stored.map(configuredName)).toEqual(['prediction_id', 'START', 'start', '"prediction_id"', 'Mixed']);
    // what the SQL then names: unquoted, Snowflake reads it upper-cased; quoted, exactly
    const reads = (sql: string) => (sql.startsWith('"') ? sql.slice(1, -1) : sql.toUpperCase());
    for (const [i, name] of stored.entries()) {
      const configured = configuredName(name);
      if (!configured.startsWith('"')) expect(reads(d.quote(configured))).toBe(stored[i]);
    }
  });
});
