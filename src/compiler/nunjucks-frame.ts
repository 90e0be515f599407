// A faster Frame.set for nunjucks' runtime, installed once when the template environment is made.
//
// Every `{% for %}` iteration sets seven `loop.*` variables and every `{% set %}` one more, through
// Frame.set, which splits each name on '.' on every call. Compiling 1,000 monitors made millions of
// those calls: Frame.set was 324 of 2,068 ms of the CLI's main thread in a CPU profile. This version
// does the same writes, splitting each distinct name once: `hindsight compile` of 1,000 monitors over
// an existing target/ (see docs/performance.md, Compile time). Names with more than one dot still
// take nunjucks' own path; test/compiler/nunjucks-frame.test.ts compares the two.
import nunjucks from 'nunjucks';

interface Frame {
  variables: Record<string, unknown>;
  set(name: string, value: unknown, resolveUp?: boolean): void;
  resolve(name: string, forWrite: boolean): Frame | undefined;
}

type FrameClass = { prototype: Frame };

/** nunjucks' own Frame.set, kept for the cases above and for the test. */
export let originalFrameSet: Frame['set'] | undefined;

/** Each name, split on '.' when it has exactly one dot; null when it has none; false otherwise. */
const splitNames = new Map<string, readonly [string, string] | null | false>();

function split(name: string): readonly [string, string] | null | false {
  let parts = splitNames.get(name);
  if (parts === undefined) {
    const dot = name.indexOf('.');
    parts = dot === -1 ? null : name.indexOf('.', dot + 1) === -1 ? [name.slice(0, dot), name.slice(dot + 1)] : false;
    splitNames.set(name, parts);
  }
  return parts;
}

export function installFastFrameSet(): void {
  const frame = (nunjucks as unknown as { runtime: { Frame: FrameClass } }).runtime.Frame;
  if (originalFrameSet) return;
  const original = frame.prototype.set;
  originalFrameSet = original;
  frame.prototype.set = function set(this: Frame, name: string, value: unknown, resolveUp?: boolean): void {
    const parts = split(name);
    if (parts === false) {
      original.call(this, name, value, resolveUp);
      return;
    }
    // `{% set %}`: the frame that already holds the name (or its first part) takes the write
    const owner = (resolveUp && this.resolve(parts === null ? name : parts[0], true)) || this;
    if (parts === null) {
      owner.variables[name] = value;
    } else {
      let scope = owner.variables[parts[0]] as Record<string, unknown> | undefined;
      if (!scope) {
        scope = {};
        owner.variables[parts[0]] = scope;
      }
      scope[parts[1]] = value;
    }
  };
}
