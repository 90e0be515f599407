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
