// One linter for the tree: typescript-eslint with type information, because the mistakes that
// cost most here — a promise nobody awaits while a server is being stopped, a shadowed `client` —
// are only visible to the type checker. Prettier formats (.prettierrc.json); knip finds unused
// exports and files (knip.json), which a per-file linter cannot.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The architecture's one-way flow: spec → api → render → engine → platform → valkey, with the
// consistency checker and apply beside the engine, and the CLI and operator as thin shells on top.
// Each layer lists the layers it may import; tests may import anything.
const LAYERS = {
  api: [],
  render: ['api'],
  valkey: ['api'],
  platform: ['api', 'valkey'],
  engine: ['api', 'render', 'platform', 'valkey'],
  check: ['api', 'engine', 'valkey'],
  apply: ['api', 'render'],
  operator: ['api', 'render', 'engine', 'platform', 'valkey', 'apply', 'check'],
  cli: ['api', 'render', 'engine', 'platform', 'valkey', 'apply', 'check', 'operator'],
};
const TEST_FILES = ['**/*.test.ts'];

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((l) => l !== layer && !allowed.includes(l));
  const patterns = [
    { regex: '^(\\.\\./)+test/', message: 'src/ never imports test code: move the helper, or the test, under test/.' },
  ];
  if (forbidden.length) {
    patterns.push({
      regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
      message: `${layer} may import only ${allowed.length ? allowed.join(', ') : 'nothing else in src'}: data flows one way (see eslint.config.js).`,
    });
  }
  return {
    files: [`src/${layer}/**/*.ts`],
    ignores: TEST_FILES,
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/control-plane/', '.rk/', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test() and describe() return promises the runner itself tracks.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      'no-shadow': 'off',
      '@typescript-eslint/no-shadow': 'error',
      // Prettier wraps code at 120; this catches comments that run on. Messages stay whole, so
      // that a message seen in a log can be found with grep.
      'max-len': [
        'error',
        { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests read what servers and the API return (parsed JSON, YAML, rendered objects typed only
    // as far as KubeObject) and assert on its shape at run time; typing every probe into such a
    // value would add casts, not safety. Source code keeps these rules.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // A test's stand-in for an async API stays `async` even without an await, so that what it
      // throws arrives as a rejection, exactly as from the real thing.
      '@typescript-eslint/require-await': 'off',
    },
  },
  // Plain JavaScript launchers are outside the TypeScript project: linted without type information.
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
  ...layerRules,
);
