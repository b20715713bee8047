/**
 * The template language of scenarios: `{{ expr }}` inside strings. Compile once at load time
 * (`compileTemplate`, `compileTemplateValue`), render many times (`renderTemplate`, `renderValue`).
 */
export { compileTemplate, compileTemplateValue, isTemplate, templateRefs } from './compile.js';
export { evalExpr, renderTemplate, renderValue } from './render.js';
export { KNOWN_FUNCTIONS } from './functions.js';
export { TemplateError, RenderError } from './errors.js';
export { toText } from './coerce.js';
export type { Scope } from './scope.js';
