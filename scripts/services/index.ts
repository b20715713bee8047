/**
 * Service provisioning for tests and the demo: a Redis and a Kafka broker on loopback.
 * Independent of src/: `node --import tsx scripts/services/cli.ts up|down|status|fetch`.
 */
export { ensureServices, DEFAULT_REDIS_URL } from './ensure.js';
export type { EnsureServicesOptions, EnsuredServices } from './ensure.js';
export { startRedis, redisAnswers } from './redis.js';
export type { RedisInstance, StartRedisOptions } from './redis.js';
export { startKafka } from './kafka.js';
export type { KafkaInstance, StartKafkaOptions } from './kafka.js';
export { kafkaAnswers } from './kafka-probe.js';
export { fetchKafkaJars, kafkaJarsCached } from './kafka-jars.js';
export { ServiceError } from './errors.js';
export type { ServiceErrorCode } from './errors.js';
export { servicePaths, projectRoot } from './paths.js';
export type { ServicePaths } from './paths.js';
