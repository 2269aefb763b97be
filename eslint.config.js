// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layer rules from DEVELOPERS.md, enforced by lint: the BGP library and the
 * allocator are pure libraries and must not reach Kubernetes, logging or metrics.
 */
const pureLayerRestrictions = {
  patterns: [
    {
      group: ['**/k8s/**', '**/controller/**', '**/speaker/**', '**/cli/**', '**/daemon/**'],
      message:
        'src/bgp and src/ipam are pure libraries: they must not import Kubernetes, daemon or CLI code.',
    },
  ],
  paths: [
    { name: '@kubernetes/client-node', message: 'src/bgp and src/ipam never talk to Kubernetes.' },
    { name: 'pino', message: 'Pass a logger in; src/bgp and src/ipam do not import one.' },
    {
      name: 'prom-client',
      message: 'Pass counters in; src/bgp and src/ipam do not import prom-client.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'test/fixtures/lint/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['bin/*.js'],
    languageOptions: { globals: { process: 'readonly' } },
  },
  {
    files: ['src/bgp/**/*.ts', 'src/ipam/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', pureLayerRestrictions] },
  },
  {
    files: ['src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/k8s/**', '**/controller/**', '**/speaker/**', '**/cli/**'],
              message: 'src/config is the one shared parse: it must not depend on its users.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
