#!/usr/bin/env node
/**
 * Size limits of src/: no file over MAX_FILE_LINES lines, no function over MAX_FUNCTION_LINES
 * lines (a function's lines run from its first to its last, nested functions included). Run by
 * `npm run lint`; `checkSize(root)` is what the test calls on fixtures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 120;

/** Files allowed over the limits: none. Split a file by concern rather than adding one here. */
export const KNOWN_EXCEPTIONS = [];

/** Every .ts file under dir, paths relative to it with `/`. */
export function sourceFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

const isFunction = (n) =>
  ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n);

/** The problems of one file's text: `file:line: …`. */
export function checkText(file, text, exceptions = KNOWN_EXCEPTIONS) {
  if (exceptions.includes(file)) return [];
  const problems = [];
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_FILE_LINES) problems.push(`${file}: ${lines} lines, more than ${MAX_FILE_LINES}: split it by concern`);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (n) => {
    if (isFunction(n) && n.body !== undefined) {
      const start = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
      const end = sf.getLineAndCharacterOfPosition(n.end).line + 1;
      if (end - start + 1 > MAX_FUNCTION_LINES) {
        const name = n.name !== undefined && 'text' in n.name ? n.name.text : ts.isVariableDeclaration(n.parent) && ts.isIdentifier(n.parent.name) ? n.parent.name.text : '(anonymous)';
        problems.push(`${file}:${start}: function ${name} is ${end - start + 1} lines, more than ${MAX_FUNCTION_LINES}: split it`);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return problems;
}

/** Every problem under root (a src/ folder). */
export function checkSize(root, exceptions = KNOWN_EXCEPTIONS) {
  return sourceFiles(root).flatMap((f) => checkText(f, readFileSync(join(root, f), 'utf8'), exceptions));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), '../../src');
  const problems = checkSize(root);
  for (const p of problems) process.stderr.write(`${p}\n`);
  if (problems.length > 0) process.exit(1);
}
