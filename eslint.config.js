// ESLint flat config: typescript-eslint's type-checked recommended rules over the TypeScript sources
// and tests of the CLI, the SDK and the bundled plugins. Each file is typed by the tsconfig.json
// that includes it (projectService), so lint sees the same types as `tsc -b` and `tsc -p test`.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    // Build output, installed packages, test inputs, and the plain-JS scripts (bin, bench, scripts):
    // lint covers the TypeScript that tsc type-checks.
    ignores: ['**/dist/**', '**/node_modules/**', '**/fixtures/**', 'bench/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      // No `as any` anywhere, tests included: a cast to any hides a wrong type instead of naming it.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSAsExpression > TSAnyKeyword',
          message: 'Do not cast to any: name the type, or use unknown and narrow it.',
        },
      ],
      // The async functions it flags implement promise-returning interfaces (oclif's run, catch and
      // hooks, the progress reporter); no-floating-promises and no-misused-promises still catch the
      // mistakes that matter (a promise nobody awaits).
      '@typescript-eslint/require-await': 'off',
      // A leading underscore marks a value left unused on purpose (`for await (const _ of …)`), as
      // does a property taken out of an object by destructuring with a rest (as tsc's noUnused* do).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true},
      ],
    },
  },
  {
    // Tests read the CLI's JSON output and query results (JSON.parse, pg rows), which are `any` by
    // nature; asserting on them with chai is the check, so the no-unsafe-* family is off here only.
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts', 'plugins/*/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // A test may name such untyped JSON (a fake server's metadata, a parsed YAML file) `any`; a cast
      // to any is still refused everywhere (see the no-restricted-syntax rule above).
      '@typescript-eslint/no-explicit-any': 'off',
      // chai's property assertions (`expect(x).to.be.empty`, `.to.be.true`) are expressions by design.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
)
