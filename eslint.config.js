// Lint rules for meshrr. Layer rules follow ../shared/STYLE.md §1: imports only go down.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Directories a layer must not import from (relative patterns, any depth). */
const noIo = ['node:fs', 'node:fs/promises', 'node:net', 'node:dns', 'node:http', 'node:child_process'].map(
  (name) => ({ name, message: 'the BGP core (wire, rib, reflect) does no I/O (STYLE.md §1)' }),
);
const forbidden = (layer, dirs) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: dirs.map((d) => ({
        group: [`**/${d}/*`, `**/${d}`],
        message: `layer rule (STYLE.md §1): this layer must not import ${d}/`,
      })),
      paths: ['wire', 'rib', 'reflect'].includes(layer) ? noIo : [],
    },
  ],
});

const above = {
  wire: ['session', 'rib', 'reflect', 'discovery', 'config', 'k8s', 'mrt', 'cli', 'model', 'status'],
  mrt: ['session', 'rib', 'reflect', 'discovery', 'config', 'k8s', 'cli', 'status'],
  session: ['rib', 'reflect', 'discovery', 'config', 'k8s', 'cli', 'mrt', 'status'],
  rib: ['session', 'reflect', 'discovery', 'config', 'k8s', 'cli', 'status'],
  reflect: ['session', 'discovery', 'config', 'k8s', 'cli', 'status'],
  discovery: ['wire', 'session', 'rib', 'reflect', 'k8s', 'cli', 'status'],
  config: ['session', 'rib', 'reflect', 'k8s', 'cli', 'discovery', 'status'],
  // policy is core (layer 3): it reports errors through the config layer's error shape only.
  policy: ['session', 'reflect', 'discovery', 'k8s', 'cli', 'pod', 'rr', 'mrt', 'status'],
  // the pod logic (between layers 4 and 5): drives the router only through RouterControl.
  pod: ['wire', 'session', 'rib', 'reflect', 'rr', 'k8s', 'cli', 'mrt', 'demo'],
  // operations (issue 9), layer 5 beside the composition root: they observe the router, never drive it.
  status: ['cli', 'demo'],
  bmp: ['cli', 'status', 'k8s', 'pod', 'demo', 'discovery', 'config'],
  k8s: ['cli', 'status', 'bmp', 'demo'],
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-check/**', 'dist-bench/**', '.bench-out/**', 'node_modules/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'use a string-literal union or an as-const object (STYLE.md §2)' },
      ],
    },
  },
  ...Object.entries(above).map(([layer, dirs]) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: forbidden(layer, dirs),
  })),
);
