/**
 * Where the service provisioning keeps its files. Everything lives under the project's ignored
 * `.cache/services/` folder, never in a shared /tmp path.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (two levels above this file). */
export const projectRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Folders and files used by the service provisioning, all derived from one root. */
export interface ServicePaths {
  /** `.cache/services` — the parent of everything below. */
  readonly root: string;
  /** `state.json`: what `services up` started (pids, ports, data dirs). */
  readonly stateFile: string;
  /** Maven project folder whose `lib/` holds the Kafka broker jars. */
  readonly kafkaJars: string;
  /** `lib/` inside {@link kafkaJars}: the broker's classpath. */
  readonly kafkaLib: string;
  /** Data folder of the long-lived broker started by `services up`. */
  readonly kafkaData: string;
  /** Parent of per-instance folders (private brokers and Redis servers). */
  readonly instances: string;
  /** The checked-in Kafka config templates (pom.xml, server.properties.template, log4j files). */
  readonly kafkaTemplates: string;
}

/**
 * The provisioning paths for a project root.
 * @param root project root; defaults to this checkout's root
 */
export function servicePaths(root: string = projectRoot): ServicePaths {
  const base = join(root, '.cache', 'services');
  const kafkaJars = join(base, 'kafka-jars');
  return {
    root: base,
    stateFile: join(base, 'state.json'),
    kafkaJars,
    kafkaLib: join(kafkaJars, 'lib'),
    kafkaData: join(base, 'kafka-data'),
    instances: join(base, 'instances'),
    kafkaTemplates: join(root, 'scripts', 'services', 'kafka'),
  };
}
