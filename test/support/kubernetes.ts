/**
 * Offline validation of Kubernetes manifests, as close to `kubectl apply --validate=strict` as
 * no cluster allows:
 *
 * - the object's schema, from kubernetes-models (the Kubernetes OpenAPI, compiled to validators)
 *   and @kubernetes-models/keda (KEDA's CRDs): required fields, types, formats such as quantities,
 *   enums, and apiVersion/kind pairs that exist;
 * - unknown fields (a `readinesProbe` typo, a v2 field in a v1 object), which those schemas allow
 *   but the API server rejects: checked against the same packages' type declarations;
 * - the object's name, which the API server checks (RFC 1123) and the schemas do not.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { KUBERNETES_MODELS } from './kubernetes-kinds.js';

type Key = keyof typeof KUBERNETES_MODELS;
interface Validatable {
  validate(): void;
}

/** The instance type of each model, from the packages' declarations (loaded once, on first use). */
let declared: { checker: ts.TypeChecker; types: Map<string, ts.Type> } | undefined;
function declarations(): NonNullable<typeof declared> {
  if (declared) return declared;
  const kinds = fileURLToPath(new URL('./kubernetes-kinds.ts', import.meta.url));
  const program = ts.createProgram([kinds], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
    skipLibCheck: true,
    noEmit: true,
    allowImportingTsExtensions: true,
  });
  const errors = ts.getPreEmitDiagnostics(program, program.getSourceFile(kinds));
  if (errors.length > 0) throw new Error(`the model declarations did not load: ${ts.flattenDiagnosticMessageText(errors[0]?.messageText ?? '', ' ')}`);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(kinds);
  if (!file) throw new Error(`cannot load ${kinds} into the TypeScript program`);
  let table: ts.Type | undefined;
  file.forEachChild((node) => {
    if (!ts.isVariableStatement(node)) return;
    for (const d of node.declarationList.declarations) if (d.name.getText(file) === 'KUBERNETES_MODELS') table = checker.getTypeAtLocation(d.name);
  });
  if (!table) throw new Error(`KUBERNETES_MODELS not found in ${kinds}`);
  const types = new Map<string, ts.Type>();
  for (const p of table.getProperties()) {
    const ctor = checker.getTypeOfSymbol(p);
    const instance = ctor.getConstructSignatures()[0]?.getReturnType();
    if (instance) types.set(p.getName(), instance);
  }
  const missing = Object.keys(KUBERNETES_MODELS).filter((k) => !types.has(k));
  if (missing.length > 0) throw new Error(`no declared type for ${missing.join(', ')}`);
  declared = { checker, types };
  return declared;
}

/** Paths (JSON-pointer style) of fields the declared type does not have. */
function unknownFields(value: unknown, type: ts.Type, path: string, checker: ts.TypeChecker, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  let t = checker.getNonNullableType(type);
  if (t.isUnion()) {
    const objects = t.types.filter((m) => (m.flags & ts.TypeFlags.Object) !== 0);
    if (objects.length !== 1) return; // a union of shapes: nothing to say about its keys
    t = objects[0] as ts.Type;
  }
  if (Array.isArray(value)) {
    const item = checker.getIndexTypeOfType(t, ts.IndexKind.Number);
    if (item) value.forEach((v, i) => unknownFields(v, item, `${path}/${i}`, checker, out));
    return;
  }
  const mapped = checker.getIndexTypeOfType(t, ts.IndexKind.String);
  const props = t.getProperties();
  if (!mapped && props.length === 0) return; // `object`, `any`: free-form by declaration
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = t.getProperty(k);
    if (p) unknownFields(v, checker.getTypeOfSymbol(p), `${path}/${k}`, checker, out);
    else if (mapped) unknownFields(v, mapped, `${path}/${k}`, checker, out);
    else out.push(`${path}/${k}`);
  }
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kinds whose names become DNS labels (Services, Namespaces); the rest are DNS subdomains. */
const LABEL_NAMED = new Set(['Service', 'Namespace']);

/**
 * Everything wrong with one parsed manifest object, as readable lines (`[]` when it would apply).
 */
export function kubernetesProblems(o: unknown): string[] {
  if (o === null || typeof o !== 'object') return ['not an object'];
  const obj = o as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const Model = KUBERNETES_MODELS[key as Key] as (new (data: never) => Validatable) | undefined;
  if (!Model) return [`no model for ${key}: not a kind these manifests use, or a wrong apiVersion`];
  const problems: string[] = [];
  try {
    new Model(o as never).validate();
  } catch (e) {
    problems.push(`schema: ${(e as Error).message}`);
  }
  const { checker, types } = declarations();
  const unknown: string[] = [];
  unknownFields(o, types.get(key) as ts.Type, '', checker, unknown);
  for (const p of unknown) problems.push(`unknown field ${p}`);
  const name = obj.metadata?.name;
  const kind = String(obj.kind);
  const limit = LABEL_NAMED.has(kind) ? 63 : 253;
  if (typeof name !== 'string' || !(LABEL_NAMED.has(kind) ? LABEL : SUBDOMAIN).test(name) || name.length > limit) {
    problems.push(`metadata.name ${JSON.stringify(name)} is not an RFC 1123 ${LABEL_NAMED.has(kind) ? 'label' : 'subdomain'} (lower-case letters, digits, '-', at most ${limit})`);
  }
  return problems;
}
