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
require(entry).runMain(process.argv.slice(2));
