// Writes the fenced code blocks of a Markdown page that carry `file=<name>` in their info string
// (```js file=getting-started.mjs) to <output folder>/<name>, so CI runs the code the docs show.
// Usage: node extract-code-blocks.mjs <page.md> <output folder>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const [page, output] = process.argv.slice(2);
if (!page || !output) {
  console.error('usage: node extract-code-blocks.mjs <page.md> <output-folder>');
  process.exit(2);
}
const lines = readFileSync(page, 'utf8').split('\n');
const written = [];
for (let index = 0; index < lines.length; index++) {
  const match = /^(`{3,})\S*\s.*\bfile=(\S+)/.exec(lines[index]);
  if (!match) continue;
  const [, fence, name] = match;
  const end = lines.findIndex((line, position) => position > index && line.startsWith(fence) && line.trim() === fence);
  if (end < 0) {
    console.error(`FAIL: ${page}:${index + 1}: code block for ${name} is not closed`);
    process.exit(1);
  }
  if (normalize(name).startsWith('..')) {
    console.error(`FAIL: ${page}:${index + 1}: file=${name} must stay inside the output folder`);
    process.exit(1);
  }
  const target = join(output, name);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${lines.slice(index + 1, end).join('\n')}\n`);
  written.push(name);
  index = end;
}
if (written.length === 0) {
  console.error(`FAIL: ${page}: expected code blocks marked file=<name>, found none`);
  process.exit(1);
}
console.log(`  extracted from ${page}: ${written.join(', ')}`);
