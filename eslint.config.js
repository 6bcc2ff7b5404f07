// Flat config: typescript-eslint's recommended rules over every TypeScript file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SERVERS_CODE = { regex: '(^|/)(collector|gateway)/', message: 'A client speaks only the wire protocol: import its shapes from shared/protocol.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'dashboard/dist/**', 'bench/results/**', 'test/clients/**/*.go', 'coverage/**'] },
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
    // A client speaks only the wire protocol (shared/protocol), never the servers' code.
    files: ['client/**/*.ts', 'dashboard/**/*.ts'],
    ignores: ['dashboard/vite.config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [SERVERS_CODE] }],
    },
  },
  {
    // The dashboard bundle carries no schema library: of the zod-built protocol it takes types only
    // (the codes of errors.ts and close-codes.ts are plain values).
    files: ['dashboard/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        SERVERS_CODE,
        { regex: '(^|/)shared/protocol/(?!(errors|close-codes)\\.ts$)', allowTypeImports: true, message: 'Type-only imports of the protocol\'s schemas in the dashboard: a value import puts zod in the bundle.' },
      ] }],
    },
  },
);
