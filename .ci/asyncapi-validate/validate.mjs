// Parses an AsyncAPI document offline with @asyncapi/parser (pinned in package.json), resolving its
// relative file $refs (docs/events/*.schema.json), and prints every diagnostic. Exit status 1 when the
// document does not parse or any diagnostic has error severity; warnings and hints are printed only.
// Usage: node validate.mjs <asyncapi.yaml>
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';
import { resolve } from 'node:path';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs <asyncapi.yaml>');
  process.exit(2);
}
const path = resolve(file);
const names = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint' };

const parser = new Parser();
let document, diagnostics;
try {
  ({ document, diagnostics } = await fromFile(parser, path).parse());
} catch (e) {
  console.error(`INVALID ${file}: ${e.message}`);
  process.exit(1);
}

let errors = 0;
for (const d of diagnostics) {
  const severity = names[d.severity] ?? String(d.severity);
  if (d.severity === DiagnosticSeverity.Error) errors++;
  const where = d.path?.length ? `/${d.path.join('/')}` : '(document)';
  const line = d.range ? `:${d.range.start.line + 1}` : '';
  const source = d.source && d.source !== path ? ` [${d.source}]` : '';
  console.log(`${severity.padEnd(7)} ${where}${line}${source} ${d.code ?? ''}: ${d.message}`);
}
if (!document) errors = Math.max(errors, 1);
const counts = diagnostics.reduce((c, d) => ({ ...c, [names[d.severity]]: (c[names[d.severity]] ?? 0) + 1 }), {});
const summary = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') || 'no diagnostics';
if (errors) {
  console.error(`INVALID ${file}: ${summary}`);
  process.exit(1);
}
const ch = document.channels().length, op = document.operations().length, msg = document.components().messages().length;
console.log(`ok ${file}: AsyncAPI ${document.version()}, ${ch} channels, ${op} operations, ${msg} messages (${summary})`);
