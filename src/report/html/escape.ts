/**
 * Escaping for the HTML report. Every value that comes from the scenario or the target goes through
 * {@link html}; data for the page's scripts goes through {@link jsonForScript}; inline scripts and
 * styles are allowed by the Content-Security-Policy only by their {@link cspHash}.
 */
import { createHash } from 'node:crypto';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text or a double-quoted attribute value: the five significant characters as entities; C0 controls
 * (but tab and newlines) and lone surrogates as U+FFFD so the document stays well-formed.
 */
export function html(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this handles
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON to embed in `<script type="application/json">`: `<`, `>` and `&` as \u escapes so no `</script>`
 * or `<!--` can end or alter the block, and U+2028/U+2029 escaped. `JSON.parse` of the block's text
 * gives the value back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The CSP source for an inline script or style: `'sha256-<base64>'` of its exact UTF-8 text. */
export function cspHash(content: string): string {
  return `'sha256-${createHash('sha256').update(content, 'utf8').digest('base64')}'`;
}

/** Code that goes inside `<script>` or `<style>` must never contain the closing tag. */
export function assertInlineSafe(content: string, tag: 'script' | 'style'): string {
  if (new RegExp(`</${tag}`, 'i').test(content) || /<!--/.test(content)) {
    throw new Error(`inline ${tag} content contains a closing tag or a comment opener`);
  }
  return content;
}
