// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', 'reports/', 'bench/results/', 'coverage/', 'src/scenario/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', AbortController: 'readonly', performance: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', structuredClone: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // No scenario can run code: nothing in rampart evaluates strings.
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-imports': ['error', { paths: [{ name: 'vm', message: 'rampart never evaluates code.' }, { name: 'node:vm', message: 'rampart never evaluates code.' }] }],
    },
  },
  {
    // Below src/cli nothing reads the environment or exits the process: a Run owns a run.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'process', property: 'exit', message: 'Only src/cli sets the exit code.' },
        { object: 'process', property: 'env', message: 'Only src/cli reads the environment; pass values in.' },
        { object: 'process', property: 'argv', message: 'Only src/cli reads argv.' },
      ],
    },
  },
);
