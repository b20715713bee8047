/** The gateway topology: N instances of each service behind HAProxy (`rampart mocks --instances N --gateway <port>`). */
export { startTopology, type Topology, type TopologyInstance, type TopologyOptions } from './launcher.js';
export { renderHaproxyConfig, SERVICE_PATHS, type BalanceMode, type GatewayConfigOptions, type GatewayServer } from './haproxy-config.js';
export { gatewayStats, parseStatsCsv, type ServerStats } from './gateway-stats.js';
export { ensureTopologyTool, TOPOLOGY_TOOLS, ToolMissingError, type TopologyTool } from './tool.js';
export { freePort, startProcess, waitForLine, type Started } from './process.js';
export { startPrometheus, renderPrometheusConfig, type RunningPrometheus, type ScrapeJob, type StartPrometheusOptions } from './prometheus.js';
export { monitoringRuleFiles, monitoringRuleTests, monitoringRulesDir, topologyScrapeJobs, type ScrapedInstance } from './monitoring.js';
