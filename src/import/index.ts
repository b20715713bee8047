/**
 * The import layer: a browser recording (HAR) or an Artillery script → a rampart scenario as YAML
 * text with comments. Pure apart from reading the input; the CLI writes the output and validates it
 * with the scenario layer.
 */
export { ImportError, type ImportResult } from './problems.js';
export { readHar, parseHar, MAX_HAR_BYTES } from './har/read.js';
export { importHar, type HarImportOptions } from './har/build.js';
export { readArtillery, parseArtillery } from './artillery/read.js';
export { importArtillery, type ArtilleryImportOptions } from './artillery/build.js';
