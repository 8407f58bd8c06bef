// One lint configuration for the whole monorepo. Promise misuse is an error everywhere:
// a floating promise in a worker is a job that silently never finishes.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { configAtTheEdge } from './eslint/config-at-the-edge.js';
import { registryOwnsWrites } from './eslint/registry-owns-writes.js';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/generated/**',
      '**/dist/**',
      '.lathe/**',
      'services/dashboard/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  registryOwnsWrites,
  configAtTheEdge,
  {
    // Plain JavaScript (config files, bootstrap scripts) is not type-checked.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
);
