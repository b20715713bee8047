/**
 * The HTML report: one self-contained file that needs no network when opened. The verdict on top,
 * thresholds, per-step latency percentiles, charts over time (uPlot, inlined), warnings, all series,
 * the scenario as run and the environment.
 *
 * Safety: every string from the scenario or the target is HTML-escaped; chart data sits in a
 * `<script type="application/json">` block escaped against `</script>`; a Content-Security-Policy
 * meta allows nothing remote and runs inline scripts and styles only by their sha256 hashes, so a
 * value that slipped through could still not run script.
 */
import type { Report } from '../model.js';
import { loadChartAssets, type ChartAssets } from './assets.js';
import { CLIENT_SCRIPT } from './client.js';
import { assertInlineSafe, cspHash, html, jsonForScript } from './escape.js';
import { chartsSection, scenarioSection, seriesSection, stepsSection, thresholdsSection, verdictSection, warningsSection } from './sections.js';

const PAGE_CSS = `
:root { color-scheme: light; --ok: #15803d; --bad: #b91c1c; --warn: #b45309; --muted: #64748b; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1180px; padding: 16px 24px 48px; color: #0f172a; }
h1 { font-size: 22px; margin: 0 0 6px; } h2 { font-size: 17px; margin: 28px 0 8px; display: inline-block; } h3 { font-size: 14px; margin: 16px 0 4px; }
section > h2 { display: block; }
.verdict { border-radius: 8px; padding: 14px 18px; border: 2px solid; }
.verdict.passed { border-color: var(--ok); background: #f0fdf4; } .verdict.failed { border-color: var(--bad); background: #fef2f2; }
.verdict.aborted { border-color: var(--warn); background: #fffbeb; }
.badge { font-weight: 700; letter-spacing: .04em; }
.passed .badge { color: var(--ok); } .failed .badge { color: var(--bad); } .aborted .badge { color: var(--warn); }
.muted { color: var(--muted); } .ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; }
table { border-collapse: collapse; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e2e8f0; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f8fafc; font-weight: 600; } .n { text-align: right; white-space: nowrap; }
.chart { margin: 10px 0 18px; min-height: 60px; }
pre { background: #f8fafc; border: 1px solid #e2e8f0; padding: 10px; overflow: auto; max-height: 480px; white-space: pre-wrap; }
ul.warn li { color: var(--warn); }
summary { cursor: pointer; }
`;

/** Options for {@link renderHtml}; tests may pass their own assets. */
export interface HtmlOptions {
  /** uPlot's script and stylesheet. Default: read from the installed `uplot` package. */
  readonly assets?: ChartAssets;
}

/** An error class as a chart key: only plain class names reach the page's script. */
const CLASS_NAME = /^[a-z0-9]{1,16}$/;

/** Per-class error counts of a point, keyed `error:<class>` for the client's flat series. */
function classCounts(byClass: Readonly<Record<string, number>> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (byClass === undefined) return out;
  for (const [cls, n] of Object.entries(byClass)) if (CLASS_NAME.test(cls) && typeof n === 'number') out[`error:${cls}`] = n;
  return out;
}

/** The data the client script charts: only numbers, phase names and error class names. */
function chartData(r: Report): unknown {
  const classes = [...new Set(r.timeline.flatMap((p) => Object.keys(p.errorsByClass ?? {})).filter((c) => CLASS_NAME.test(c)))].sort();
  return {
    errorClasses: classes,
    timeline: r.timeline.map((p) => ({
      t: p.t,
      requests: p.requests,
      started: p.started,
      ...(p.planned !== undefined ? { planned: p.planned } : {}),
      errors: p.errors,
      ...classCounts(p.errorsByClass),
      dropped: p.dropped,
      p50: p.p50,
      p95: p.p95,
      p99: p.p99,
      ...(p.lagMaxMs !== undefined ? { lagMaxMs: p.lagMaxMs } : {}),
      vus: p.vus,
      phase: p.phase,
    })),
    phases: r.phases.map((p) => ({ name: p.name, startOffsetMs: p.startOffsetMs, endOffsetMs: p.endOffsetMs })),
  };
}

/** The whole HTML document for a report. */
export function renderHtml(report: Report, opts: HtmlOptions = {}): string {
  const assets = opts.assets ?? loadChartAssets();
  const uplotJs = assertInlineSafe(assets.script, 'script');
  const clientJs = assertInlineSafe(CLIENT_SCRIPT, 'script');
  const css = assertInlineSafe(`${assets.css}\n${PAGE_CSS}`, 'style');
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(uplotJs)} ${cspHash(clientJs)}`,
    `style-src ${cspHash(css)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `rampart ${report.verdict}: ${report.scenario.name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${html(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${html(title)}</title>
<style>${css}</style>
</head>
<body>
${verdictSection(report)}
${thresholdsSection(report)}
${stepsSection(report)}
${chartsSection(report)}
${warningsSection(report)}
${seriesSection(report)}
${scenarioSection(report)}
<script type="application/json" id="rampart-data">${jsonForScript(chartData(report))}</script>
<script>${uplotJs}</script>
<script>${clientJs}</script>
</body>
</html>
`;
}
