#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx, so `npx msk-custom-domain` needs no build step.
require('tsx/cjs');
require('../cli/main.ts').main();
