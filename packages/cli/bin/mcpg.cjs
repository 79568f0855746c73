#!/usr/bin/env node
// The version gate runs before the bundle is loaded: it is written so that any Node can parse it, while the
// bundle uses what Node 20 offers and would fail on an older one with an error that names no version.
'use strict';
var MINIMUM_MAJOR = 20;
var major = Number(process.versions.node.split('.')[0]);
if (!(major >= MINIMUM_MAJOR)) {
  process.stderr.write(
    'mcpg needs Node.js ' +
      MINIMUM_MAJOR +
      ' or newer; this is Node.js ' +
      process.version +
      ' (' +
      process.execPath +
      ').\nInstall a maintained Node.js LTS release (20, 22 or 24) and run mcpg with it.\n',
  );
  process.exit(2);
}
var path = require('node:path');
var fs = require('node:fs');
var bundle = path.join(__dirname, '..', 'dist', 'mcpg.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write('mcpg is not built: ' + bundle + ' is missing; run `make cli` in the repository.\n');
  process.exit(2);
}
require(bundle);
