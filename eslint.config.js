import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// The stages of src/ in the order data flows. A stage imports only from the
// stages before it (and catalog/, the shared domain facts), so the direction
// stays one way; main.ts and post.ts compose them.
const STAGES = [
  'catalog',
  'inputs',
  'checkout',
  'runner',
  'plan',
  'toolchains',
  'cache',
  'execute',
  'smoke',
  'artifacts',
  'report'
]

const stageBoundaries = STAGES.map((stage, i) => ({
  files: [`src/${stage}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...(i + 1 < STAGES.length
            ? [
                {
                  group: STAGES.slice(i + 1).flatMap(later => [
                    `../${later}/*`,
                    `../../${later}/*`
                  ]),
                  message: `${stage}/ may import only from the stages before it (${STAGES.slice(0, i).join(', ') || 'none'}).`
                }
              ]
            : []),
          {
            group: [
              '../main.js',
              '../post.js',
              '../../main.js',
              '../../post.js',
              '../cli/*',
              '../../cli/*'
            ],
            message: 'main.ts, post.ts and cli/ compose the stages; stages never import them.'
          },
          ...(stage === 'plan' || stage === 'catalog'
            ? [
                {
                  group: ['node:fs', 'node:fs/*', 'fs', 'node:child_process', '@actions/*'],
                  message: `${stage}/ is pure: the checkout and runner stages read files and run commands.`
                }
              ]
            : [])
        ]
      }
    ]
  }
}))

export default tseslint.config(
  { ignores: ['dist/**', 'lib/**', 'node_modules/**', '.e2e/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...stageBoundaries,
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable' }
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        WebAssembly: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  }
)
