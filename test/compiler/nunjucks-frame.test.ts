// src/compiler/nunjucks-frame.ts replaces nunjucks' Frame.set with a faster one: every sequence of
// writes must leave the frames exactly as nunjucks' own does, and templates must render the same.
import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { templateEnvironment } from '../../src/compiler/environment.js';
import { installFastFrameSet, originalFrameSet } from '../../src/compiler/nunjucks-frame.js';

interface Frame {
  variables: Record<string, unknown>;
  parent?: Frame;
  set(name: string, value: unknown, resolveUp?: boolean): void;
  push(isolateWrites?: boolean): Frame;
}
const FrameClass = (nunjucks as unknown as { runtime: { Frame: new (parent?: Frame, isolate?: boolean) => Frame } }).runtime.Frame;

type Write = [name: string, value: unknown, resolveUp?: boolean];

/** Runs the writes on a child frame of a parent that holds `a` and `loop`, with one set function. */
function apply(set: Frame['set'], writes: Write[], isolate: boolean): unknown {
  const parent = new FrameClass();
  parent.variables.a = 1;
  parent.variables.loop = { index: 0 };
  const child = parent.push(isolate);
  for (const [name, value, resolveUp] of writes) set.call(child, name, value, resolveUp);
  return { parent: structuredClone(parent.variables), child: structuredClone(child.variables) };
}

// deterministic pseudo-random writes
function randomWrites(seed: number, n: number): Write[] {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const names = ['a', 'b', 'loop.index', 'loop.first', 'loop.last', 'x.y', 'a.b', 'x.y.z', 'loop', 'caller', 'x'];
  const values = [0, 1, '', 'text', null, false, true, 2.5];
  return Array.from({ length: n }, () => [names[Math.floor(next() * names.length)]!, values[Math.floor(next() * values.length)], next() < 0.3]);
}

describe("the fast Frame.set", () => {
  installFastFrameSet();
  const fast = (FrameClass as unknown as { prototype: Frame }).prototype.set;

  it('is installed, and nunjucks’ own is kept', () => {
    expect(originalFrameSet).toBeTypeOf('function');
    expect(fast).not.toBe(originalFrameSet);
  });

  it('leaves the frames as nunjucks’ own does, for names without, with one and with two dots, resolving up or not', () => {
    const cases: Write[][] = [
      [['a', 2]],
      [['a', 2, true]],
      [['b', 3, true]],
      [['loop.index', 5], ['loop.first', true]],
      [['x.y', 1], ['x.z', 2]],
      [['x', 0], ['x.y', 1]],
      [['x.y.z', 1]],
      [['loop.index', 7, true]],
    ];
    for (let seed = 1; seed <= 50; seed++) cases.push(randomWrites(seed, 20));
    for (const writes of cases) {
      for (const isolate of [false, true]) {
        const expected = (() => { try { return apply(originalFrameSet!, writes, isolate); } catch (e) { return String(e); } })();
        const actual = (() => { try { return apply(fast, writes, isolate); } catch (e) { return String(e); } })();
        expect(actual, JSON.stringify(writes)).toEqual(expected);
      }
    }
  });

  it('renders loops, nested loops, sets in loops and macros as nunjucks’ own does', () => {
    const source = [
      '{% macro cell(c) %}{% set shown = c * 2 %}<{{ shown }}>{% endmacro %}',
      '{% set n = 0 %}{% set names = [] %}',
      '{% for r in rows %}{% set n = n + r %}{% set _ = names.push(r) %}{{ loop.index }}/{{ loop.length }}{{ "," if not loop.last }}',
      '{% for c in [1, 2] %}[{{ loop.index0 }}{{ loop.first }}{{ cell(c) }}]{% endfor %}{% endfor %}',
      ' n={{ n }} names={{ names | join("-") }}',
    ].join('\n');
    const prototype = (FrameClass as unknown as { prototype: Frame }).prototype;
    const render = (set: Frame['set']) => {
      prototype.set = set;
      try {
        return templateEnvironment().renderString(source, { rows: [3, 4, 5] });
      } finally {
        prototype.set = fast;
      }
    };
    const expected = render(originalFrameSet!);
    expect(expected).toContain('names=3-4-5');
    expect(render(fast)).toBe(expected);
  });
});
