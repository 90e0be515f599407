import { parseDocument, LineCounter } from 'yaml';
for (const t of ["monitors:\n  - name: churn\n    type: [binary_clasification\n", "a:\n\tb: 1\n", "a: 1\n a: 2\nb: [1, 2\nc: 'x\n", "a:\n  b: 1\n c: 2\n", "a: b: c\n", "monitors:\n  - name: x\n  name: y\n", "a: {{ env_var('X') }}\n", "a: 1\n---\nb: 2\n"]) {
  const lc = new LineCounter();
  const d = parseDocument(t, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  console.log(JSON.stringify(t), d.errors.map(e => [e.code, e.pos, lc.linePos(e.pos[0]), e.message.split('\n')[0]]), JSON.stringify(d.toJS()));
}
