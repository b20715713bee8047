#!/usr/bin/env node
/**
 * Layers point down: a file in one folder of src/ imports only from its own folder or from the
 * folders below it in the list of src/LAYERS.md (highest first). Static imports, re-exports and
 * dynamic `import('…')` with a literal all count; imports of packages and of files outside src/ are
 * not layers. Run by `npm run lint`; `checkLayers(root)` is what the test calls on fixtures.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { sourceFiles } from './check-size.mjs';

/** The layers of `root` (a src/ folder), lowest first, read from its LAYERS.md `layers` block. */
export function readLayers(root) {
  const text = readFileSync(join(root, 'LAYERS.md'), 'utf8');
  const block = /```layers\n([\s\S]*?)```/.exec(text);
  if (block === null) throw new Error(`${join(root, 'LAYERS.md')} has no \`\`\`layers block`);
  const names = block[1].split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((n) => n !== undefined && n !== '');
  return names.reverse();
}

/** The module specifiers a file imports (static, re-exported, dynamic with a literal). */
export function importsOf(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out = [];
  const visit = (n) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier !== undefined && ts.isStringLiteral(n.moduleSpecifier)) {
      out.push({ spec: n.moduleSpecifier.text, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1 });
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] !== undefined && ts.isStringLiteralLike(n.arguments[0])) {
      out.push({ spec: n.arguments[0].text, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1 });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The layer of a path relative to root: its first folder, or `.` for a file at the top. */
const layerOf = (rel) => (rel.includes('/') ? rel.split('/')[0] : '.');

/** Every import of a higher layer (or a sibling) under root: `file:line: …`. */
export function checkLayers(root) {
  const layers = readLayers(root);
  const rank = new Map(layers.map((l, i) => [l, i]));
  const problems = [];
  for (const file of sourceFiles(root)) {
    const from = layerOf(file);
    if (!rank.has(from)) {
      problems.push(`${file}: folder ${from} is not in src/LAYERS.md: add it where it belongs`);
      continue;
    }
    for (const { spec, line } of importsOf(file, readFileSync(join(root, file), 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = relative(root, normalize(join(dirname(join(root, file)), spec))).split(sep).join('/');
      if (target.startsWith('..')) continue;
      const to = layerOf(target);
      if (to === from) continue;
      if (!rank.has(to)) {
        problems.push(`${file}:${line}: imports ${spec}, in folder ${to} that src/LAYERS.md does not list`);
      } else if (rank.get(to) >= rank.get(from)) {
        problems.push(`${file}:${line}: ${from} imports ${to} (${spec}), which is not below it in src/LAYERS.md: move the shared part down, or invert the dependency`);
      }
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), '../../src');
  const problems = checkLayers(root);
  for (const p of problems) process.stderr.write(`${p}\n`);
  if (problems.length > 0) process.exit(1);
}
