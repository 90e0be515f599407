// The number checks where a monitor reads its numbers (Dialect.toProbability, toScore, toFiniteNumber),
// evaluated as BigQuery would: by ZetaSQL's reference implementation of GoogleSQL, the analyzer of
// bigquery-analyze.test.ts, over a value of each type a BigQuery column of numbers has (FLOAT64 with
// its NaN and infinities, NUMERIC, BIGNUMERIC, INT64). The fakes cannot say this: they run DuckDB,
// where NaN is above every number; in GoogleSQL every comparison with NaN is false (so `between` is
// too) and NaN is not NULL, so the check must fail it by the `else`. Each value that passes comes back
// as the double it was cast to; each that does not stops with "<key> must be …; got <its text>".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/dialects/index.js';
import { Analyzer } from './zetasql.js';

const bigquery = dialects.bigquery!;

const NAN = "cast('nan' as float64)";
const INF = "cast('inf' as float64)";
const MINUS_INF = "cast('-inf' as float64)";
const DOUBLE_MAX = 'cast(1.7976931348623157e308 as float64)';
const NUMERIC_MAX = "numeric '99999999999999999999999999999.999999999'";
const BIGNUMERIC_MAX = "bignumeric '578960446186580977117854925043439539266.34992332820282019728792003956564819967'";
const BIGNUMERIC_MIN = "bignumeric '-578960446186580977117854925043439539266.34992332820282019728792003956564819968'";
const INT64_MAX = '9223372036854775807';
const INT64_MIN = '-9223372036854775808';

type Check = 'toProbability' | 'toScore' | 'toFiniteNumber';
const EXPECTED: Record<Check, string> = {
  toProbability: 'a probability between 0 and 1 (map another scale into it in a `sql:` source)',
  toScore: 'a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source)',
  toFiniteNumber: 'a finite number from -1e308 to 1e308',
};

/** [check, value (a GoogleSQL expression), the double it passes as, or the text it is refused with] */
const CASES: [Check, string, { passes: number | null } | { refused: string }][] = [
  ['toFiniteNumber', '0.5', { passes: 0.5 }],
  ['toFiniteNumber', '-1e308', { passes: -1e308 }],
  ['toFiniteNumber', '1e308', { passes: 1e308 }],
  ['toFiniteNumber', NUMERIC_MAX, { passes: 1e29 }],
  ['toFiniteNumber', BIGNUMERIC_MAX, { passes: 5.7896044618658096e38 }],
  ['toFiniteNumber', BIGNUMERIC_MIN, { passes: -5.7896044618658096e38 }],
  ['toFiniteNumber', INT64_MAX, { passes: 9223372036854775807 }],
  ['toFiniteNumber', INT64_MIN, { passes: -9223372036854775808 }],
  ['toFiniteNumber', 'cast(null as float64)', { passes: null }],
  ['toFiniteNumber', 'cast(null as bignumeric)', { passes: null }],
  ['toFiniteNumber', NAN, { refused: 'nan' }],
  ['toFiniteNumber', INF, { refused: 'inf' }],
  ['toFiniteNumber', MINUS_INF, { refused: '-inf' }],
  // finite, but beyond the bound: the message must not call it not finite
  ['toFiniteNumber', '1.5e308', { refused: '1.5e+308' }],
  ['toFiniteNumber', DOUBLE_MAX, { refused: '1.7976931348623157e+308' }],
  ['toProbability', '0', { passes: 0 }],
  ['toProbability', '1', { passes: 1 }],
  ['toProbability', "numeric '1.000000001'", { passes: 1.000000001 }],
  ['toProbability', "bignumeric '-0.000000001'", { passes: -1e-9 }],
  ['toProbability', "numeric '1.000000002'", { refused: '1.000000002' }],
  ['toProbability', '2', { refused: '2' }],
  ['toProbability', "numeric '-0.5'", { refused: '-0.5' }],
  ['toProbability', BIGNUMERIC_MAX, { refused: '5.7896044618658096e+38' }],
  ['toProbability', NAN, { refused: 'nan' }],
  ['toProbability', INF, { refused: 'inf' }],
  ['toProbability', MINUS_INF, { refused: '-inf' }],
  ['toScore', '0', { passes: 0 }],
  ['toScore', '1e300', { passes: 1e300 }],
  ['toScore', BIGNUMERIC_MAX, { passes: 5.7896044618658096e38 }],
  ['toScore', INT64_MAX, { passes: 9223372036854775807 }],
  ['toScore', "numeric '-0.000000002'", { refused: '-2e-09' }],
  ['toScore', INT64_MIN, { refused: '-9.2233720368547758e+18' }],
  ['toScore', '1.000000000000001e300', { refused: '1.0000000000000009e+300' }],
  ['toScore', NAN, { refused: 'nan' }],
  ['toScore', INF, { refused: 'inf' }],
  ['toScore', MINUS_INF, { refused: '-inf' }],
];

describe('BigQuery number checks, evaluated by ZetaSQL', () => {
  let analyzer: Analyzer;
  beforeAll(async () => {
    analyzer = await Analyzer.start('@fivetrandevelopers/zetasql');
  });
  afterAll(() => analyzer?.stop());

  it.each(CASES)('%s of %s', async (check, value, outcome) => {
    const result = await analyzer.evaluate(bigquery[check](`(${value})`, 'predictions.k'));
    if ('passes' in outcome) expect(result).toEqual({ value: outcome.passes === null ? {} : expect.objectContaining({ doubleValue: outcome.passes }) });
    else expect(result).toEqual({ error: `predictions.k must be ${EXPECTED[check]}; got ${outcome.refused}` });
  });

  it('sees NaN compare false and not NULL, as the checks assume (the control)', async () => {
    expect(await analyzer.evaluate(`${NAN} between -1e308 and 1e308`)).toEqual({ value: expect.objectContaining({ boolValue: false }) });
    expect(await analyzer.evaluate(`${NAN} is null`)).toEqual({ value: expect.objectContaining({ boolValue: false }) });
    expect(await analyzer.evaluate(`${NAN} > 1e308 or ${NAN} < -1e308`)).toEqual({ value: expect.objectContaining({ boolValue: false }) });
  });
});
