// ESLint flat config: typescript-eslint's recommended rules plus the project's own:
// no `any` in code we write, and imports of types kept as type imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'test-output/**', 'node_modules/**', 'coverage/**', '.tap/**', 'data/**', 'widgets/dist/**', 'bench/results/**', 'widgets/runtime/openapi.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      'no-console': 'off',
    },
  },
  {
    // Plain browser scripts: the example ERP page and the widget tests' host page.
    files: ['examples/**/*.js', 'test/widgets/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(['window', 'document', 'fetch', 'URL', 'console', 'customElements', 'Event', 'CustomEvent', 'ShadowRoot', 'Element', 'Node', 'NodeFilter'].map((name) => [name, 'readonly'])),
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
