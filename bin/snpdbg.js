#!/usr/bin/env node
// Entry point of the snpdbg command: the bundled CLI (built by `npm ci` / `npm run build`).
require('../dist/cli.js');
