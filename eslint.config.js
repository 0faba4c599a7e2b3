// Flat config: typescript-eslint's recommended rules everywhere; the type-checked rules, which
// need the TypeScript program and so cost time, only where `typeChecked` lists the sources.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

// Sources linted with type information. Each file is checked against the tsconfig.json nearest
// to it (src/web has its own: DOM, bundler resolution), so more sources join by adding a glob.
const typeChecked = ['src/**/*.{ts,tsx}', 'policies/**/*.ts', 'db/**/*.ts', 'scripts/**/*.ts', 'drizzle.config.ts']

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
    rules: {
      // Fastify's plugins and hooks are async functions by contract: an async one without an
      // await is how Fastify knows it need not wait for a `done` callback.
      '@typescript-eslint/require-await': 'off',
    },
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
