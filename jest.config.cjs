// Jest runs in CommonJS mode, like the Lambda bundle. The few ESM-only dependencies
// (@middy/core, p-limit and its queue) are transpiled by swc instead of being loaded
// natively: jest's native ESM mode cannot see the named exports of the AWS SDK's CJS build.
const esmOnly = ['@middy', 'p-limit', 'yocto-queue'];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Only the AWS SDK's NodeVersionSupportWarning is turned off (cli/node-warning.ts); other warnings print.
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  transform: {
    '^.+\\.(ts|js|mjs)$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  // shared/zod.ts imports the one English locale file by path (the 'zod/locales' index would
  // bundle every language); its .js is ESM, so CommonJS jest gets the .cjs twin.
  moduleNameMapper: { '^zod/v4/locales/en\\.js$': '<rootDir>/node_modules/zod/v4/locales/en.cjs' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testTimeout: 30000,
};
