#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` through
// the `prepare` script), which keeps start-up at plain-Node speed instead of ts-node's seconds.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'lib', 'app', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('spikepipe: the compiled CLI is missing (dist/); run `npm run build` (npm ci does it)\n');
  process.exit(2);
}
// A developer who edits the sources and forgets to rebuild would otherwise run yesterday's code
// without a word: warn (one line, stderr) when any source is newer than the compiled entry.
// Costs one stat per source file (a few ms).
function newestSource(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}
const root = path.join(__dirname, '..');
const built = fs.statSync(entry).mtimeMs;
if (['lib', 'solvers', 'reports', 'types'].some((d) => newestSource(path.join(root, d)) > built))
  process.stderr.write('spikepipe: warning: dist/ is older than the TypeScript sources; run `npm run build`\n');
require(entry).runMain(process.argv.slice(2));
