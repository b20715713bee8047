/**
 * HTML bodies for `css` captures and matchers: a body is parsed at most once (htmlparser2, as a
 * browser would tolerate it), a selector is compiled once per process (css-select). The libraries
 * load with the first step that needs them ({@link loadHtml}): a run without `css` never loads them.
 */
/** A parsed HTML body. */
export type HtmlDocument = ReturnType<typeof import('htmlparser2').parseDocument>;
type Element = Parameters<typeof import('htmlparser2').DomUtils.getAttributeValue>[0];

type Libs = {
  readonly parseDocument: typeof import('htmlparser2').parseDocument;
  readonly compile: typeof import('css-select').compile;
  readonly selectOne: typeof import('css-select').selectOne;
  readonly selectAll: typeof import('css-select').selectAll;
  readonly textContent: typeof import('htmlparser2').DomUtils.textContent;
  readonly getAttributeValue: typeof import('htmlparser2').DomUtils.getAttributeValue;
};

let libs: Libs | undefined;
let loading: Promise<void> | undefined;

/** Loads the HTML libraries (once); steps with `css` await it before their first response is judged. */
export function loadHtml(): Promise<void> {
  return (loading ??= Promise.all([import('htmlparser2'), import('css-select')]).then(([h, c]) => {
    libs = { parseDocument: h.parseDocument, compile: c.compile, selectOne: c.selectOne, selectAll: c.selectAll, textContent: h.DomUtils.textContent, getAttributeValue: h.DomUtils.getAttributeValue };
  }));
}

/** Whether {@link loadHtml} has completed (checked per request, so a loaded run awaits nothing). */
export function htmlLoaded(): boolean {
  return libs !== undefined;
}

function lib(): Libs {
  if (libs === undefined) throw new Error('HTML support is not loaded: loadHtml() must complete first');
  return libs;
}

/** Parses an HTML body (never throws: malformed HTML is read as a browser would). */
export function parseHtml(text: string): HtmlDocument {
  return lib().parseDocument(text);
}

type Query = ReturnType<Libs['compile']>;
const queries = new Map<string, Query>();
function query(selector: string): Query {
  let q = queries.get(selector);
  if (q === undefined) {
    q = lib().compile(selector);
    queries.set(selector, q);
  }
  return q;
}

/** An element's value: its `attribute`, or its text content, trimmed. */
function valueOf(el: Element, attribute: string | undefined): string | undefined {
  const { getAttributeValue, textContent } = lib();
  return attribute !== undefined ? getAttributeValue(el, attribute) : textContent(el).trim();
}

/** The value of the first element matching `selector` (undefined: none, or it lacks the attribute). */
export function cssValue(doc: HtmlDocument, selector: string, attribute: string | undefined): string | undefined {
  const el = lib().selectOne(query(selector), doc) as unknown as Element | null;
  return el === null ? undefined : valueOf(el, attribute);
}

/** The values of every matching element that has one (undefined when there is none). */
export function cssValues(doc: HtmlDocument, selector: string, attribute: string | undefined): string[] | undefined {
  const out: string[] = [];
  for (const el of lib().selectAll(query(selector), doc) as unknown as Element[]) {
    const v = valueOf(el, attribute);
    if (v !== undefined) out.push(v);
  }
  return out.length === 0 ? undefined : out;
}
