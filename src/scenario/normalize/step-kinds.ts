/**
 * Step kinds that talk to something other than the HTTP target, by the key that introduces them.
 * steps.ts hands a step with one of these keys to its normalizer; a new kind registers here.
 */
import type { ProtocolStep } from '../plan.js';
import type { Obj } from './context.js';
import { kafkaStep, redisStep } from './protocol-steps.js';
import type { VarScope } from './scope.js';
import type { StepEnv } from './steps.js';

export type ProtocolStepNormalizer = (env: StepEnv, s: Obj, at: string, scope: VarScope) => ProtocolStep;

export const PROTOCOL_STEP_KINDS: Readonly<Record<string, ProtocolStepNormalizer>> = {
  kafka: kafkaStep,
  redis: redisStep,
};

/** The normalizer of a step with a protocol key, or undefined. */
export function protocolStepKind(s: Obj): ProtocolStepNormalizer | undefined {
  for (const [key, fn] of Object.entries(PROTOCOL_STEP_KINDS)) if (Object.hasOwn(s, key)) return fn;
  return undefined;
}
