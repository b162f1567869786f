import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'bench/results/**',
      'public/**',
      'reference/**',
      '.data-cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/app/**/*.{ts,tsx}', 'src/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['scripts/**/*.{js,mjs}', 'bench/**/*.{js,mjs,ts}', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    // Code the compute worker runs may run on WebGPU, where tfjs' synchronous read goes through a canvas and, on
    // SwiftShader, destroys the device that training shares (the resumed run then fails "device lost").
    // The toy's tfjs engine is synchronous by design and runs in its own worker.
    files: [
      'src/train/**/*.ts',
      'src/worker/**/*.ts',
      'src/experiments/**/*.ts',
      'src/models/gradientCheck.ts',
    ],
    ignores: ['**/*.test.ts', 'src/train/toy/trainerTfjs.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(dataSync|arraySync|bufferSync)$/]',
          message:
            'Read tensors with await t.data() / t.array() in worker code (a sync WebGPU read loses the device).',
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
