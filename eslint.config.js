// Lint: the recommended rules of ESLint, typescript-eslint and eslint-plugin-astro, plus the
// architecture's one-way dependencies (pages → actions → features → plumbing).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';

export default [
  { ignores: ['dist/', 'node_modules/', '.astro/', 'data/', '.ci-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...astro.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-undef': 'off', // TypeScript checks names; the rule does not know Node's and the browser's globals
      // Refusing control characters in what people type is deliberate (names, notes, CSV cells).
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read JSON answers loosely; migrations run against past schemas (Kysely's own pattern).
    files: ['tests/**', '**/*.test.ts', 'db/migrations/**', 'src/server/db/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];
