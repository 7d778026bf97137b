import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini rather than classic zod: it tree-shakes (about 30 KB in a bundle instead of 440 KB),
// which keeps the Lambda bundles small. It ships without messages: load the English ones once,
// here, so every schema says "expected number" etc. Import it as `import * as z from './zod'`
// and only access members (z.string(), …): passing the namespace around would keep all of zod.
config(en());

export * from 'zod/mini';
