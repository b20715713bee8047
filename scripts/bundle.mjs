/**
 * Bundles the compiled CLI (dist/src/cli/main.js and everything it imports, dynamic imports as
 * chunks of their own) into dist/bundle/, which bin/rampart.js loads. Run by `npm run build` after
 * tsc.
 *
 * Why: Node loads an ES module graph file by file (resolve, read, compile, link). A run's ~200
 * modules cost about 115 ms of its start on the bench's machines (bench/README.md, start-up); the
 * same code in a few chunks loads in a fraction of that.
 *
 * What stays as it is:
 * - npm packages load from node_modules, as before, except what a run loads at its start
 *   ({@link BUNDLED}): the YAML and command line parsers, undici's connection and connector, and the
 *   histograms' WebAssembly files: about 150 CommonJS files (yaml alone 72, ~55 ms) that Node would
 *   load one by one. pako, which the histograms use to inflate their WebAssembly at every start, is
 *   replaced by Node's own zlib (scripts/pako-on-zlib.mjs): 20–30 ms less per start. Bundled
 *   CommonJS code reaches Node's built-in modules through a `require` made for each chunk (the
 *   banner). A package loaded through createRequire at run time
 *   (the whole of undici for WebSocket steps, ajv to explain a mistake) still comes from
 *   node_modules;
 * - worker threads, agent processes and mock service processes still run the compiled modules of
 *   dist/ (their own module graphs, started by path);
 * - code that finds a file next to its own module (`new URL('./worker-main.js', import.meta.url)`,
 *   the schemas, package.json, createRequire) is given the URL of its compiled module in dist/, not
 *   the chunk's: every `import.meta.url` in a bundled file becomes that file's own URL. So paths
 *   work the same bundled or not.
 */
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const OUT_DIR = join(dist, 'bundle');
/** The npm packages bundled in; every other dependency stays external. */
const BUNDLED = new Set(['yaml', 'commander', 'undici', 'hdr-histogram-js']);
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const external = Object.keys(manifest.dependencies).filter((name) => !BUNDLED.has(name));

/** Replaces each `import.meta.url` in a compiled module by its own URL, computed from the chunk's. */
const ownModuleUrl = {
  name: 'own-module-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist + sep)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const rel = relative(OUT_DIR, args.path).split(sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

/** The histograms' `require("pako")` resolved to pako's two functions on Node's zlib. */
const PAKO_ON_ZLIB = join(root, 'scripts/pako-on-zlib.mjs');
const pakoOnZlib = {
  name: 'pako-on-zlib',
  setup(b) {
    b.onResolve({ filter: /^pako$/ }, () => ({ path: PAKO_ON_ZLIB }));
  },
};

// Chunk names carry a content hash: the previous build's chunks would stay beside the new ones.
await rm(OUT_DIR, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: join(dist, 'src/cli/main.js') },
  outdir: OUT_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  external,
  banner: { js: "import { createRequire as __rampartRequire } from 'node:module'; const require = __rampartRequire(import.meta.url);" },
  // Whitespace and syntax only: a third less to parse at start. Names stay as written, except
  // where two modules' top-level names collide in a chunk (a suffix is added). `keepNames` would
  // restore those at the cost of a defineProperty on every closure created, hot paths included.
  minifyWhitespace: true,
  minifySyntax: true,
  // The bundled packages' license comments go to a .LEGAL.txt beside each chunk.
  legalComments: 'linked',
  // Maps back to the TypeScript sources through tsc's maps (node --enable-source-maps reads them).
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [ownModuleUrl, pakoOnZlib],
});
