/** The report formats by name, for help texts and flag parsing (the renderers are in registry.ts). */
export const REPORT_FORMATS = ['json', 'junit', 'html', 'md'] as const;

export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The gate of `--baseline` / `rampart compare` when no tolerance is given. */
export const DEFAULT_TOLERANCES = 'p95=10%,errors=1%';
