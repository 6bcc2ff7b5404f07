// Flat config: typescript-eslint's recommended rules over every TypeScript file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'client/dist/**', 'dashboard/dist/**', 'bench/results/**', 'test/clients/**/*.go', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Errors are logged whole, `{ err }`, so pino's err serializer keeps their type, stack and cause
    // (shared/logger.ts); `err: String(err)` or `err: err.message` would keep one line of text.
    rules: {
      'no-restricted-syntax': ['error', ...['CallExpression[callee.name="String"]', 'ConditionalExpression', 'MemberExpression[property.name="message"]'].map((value) => ({
        selector: `Property[key.name="err"] > ${value}`,
        message: 'Log the error itself ({ err }): pino\'s err serializer keeps its stack.',
      }))],
    },
  },
  {
    // @licmon/client is a package of its own: it imports nothing outside client/ (its protocol is
    // generated into client/protocol.ts by `npm run client:protocol`).
    files: ['client/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', message: 'The SDK ships alone: import only from client/ (regenerate client/protocol.ts for protocol changes).' }] }],
    },
  },
  {
    // The dashboard uses the SDK as an outside user does: by its package name, which also gives it
    // the protocol's types and codes, with no zod in the bundle.
    files: ['dashboard/**/*.ts'],
    ignores: ['dashboard/vite.config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)(collector|gateway|shared|client)/', message: 'The dashboard speaks only the wire protocol: import types, codes and the client from @licmon/client.' },
      ] }],
    },
  },
);
