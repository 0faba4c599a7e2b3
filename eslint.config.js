// Flat config: typescript-eslint's recommended rules everywhere; the type-checked rules, which
// need the TypeScript program and so cost time, only where `typeChecked` lists the sources.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

// Sources linted with type information. Each file is checked against the tsconfig.json nearest
// to it (src/web has its own: DOM, bundler resolution), so more sources join by adding a glob.
const typeChecked = ['src/web/**/*.{ts,tsx}']

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'data/', '.tmp/', '.tap/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names mark parameters a signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        caughtErrorsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
        ignoreRestSiblings: true,
      }],
    },
  },
  {
    files: typeChecked,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['src/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
)
