import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'devTools/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/teams/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['botbuilder', 'botbuilder-*', 'botframework-*'],
              message: 'Only src/teams/ imports botbuilder.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!./*'],
              message: 'core/ imports nothing from the rest of the project.',
            },
            { regex: '^(?!\\.)', message: 'core/ is pure: no SDKs, no I/O, no node: modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.|node:crypto$)',
              message: 'workflows/ use core/ and ports, never an SDK directly.',
            },
            {
              group: ['../teams/*', '../graph/*', '../store/*', '../http/*', '../sim/*'],
              message: 'workflows/ depend on ports, not adapters.',
            },
          ],
        },
      ],
    },
  },
);
