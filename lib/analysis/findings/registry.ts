// Every rule of SMELLS.md, in its order, then the architecture rules a config can declare.
// One rule = one file in rules/ with its thresholds beside it (ARCHITECTURE.md §4.7).
import { architectureForbiddenDependency } from './rules/architecture-forbidden-dependency.ts';
import { architectureMaxChainDepth } from './rules/architecture-max-chain-depth.ts';
import { architectureOwnership } from './rules/architecture-ownership.ts';
import { cascadingFailure } from './rules/cascading-failure.ts';
import { chattyService } from './rules/chatty-service.ts';
import { cyclicDependency } from './rules/cyclic-dependency.ts';
import { fanOut } from './rules/fan-out.ts';
import { hardCodedEndpoint } from './rules/hard-coded-endpoint.ts';
import { hubService } from './rules/hub-service.ts';
import { lockstepDeploy } from './rules/lockstep-deploy.ts';
import { missingCircuitBreaker } from './rules/missing-circuit-breaker.ts';
import { nanoService } from './rules/nano-service.ts';
import { noApiGateway } from './rules/no-api-gateway.ts';
import { nPlusOneApi } from './rules/n-plus-one-api.ts';
import { nPlusOneDb } from './rules/n-plus-one-db.ts';
import { serializedCalls } from './rules/serialized-calls.ts';
import { serviceIntimacy } from './rules/service-intimacy.ts';
import { sharedDatabase } from './rules/shared-database.ts';
import { syncChain } from './rules/sync-chain.ts';
import { unversionedApi } from './rules/unversioned-api.ts';
import type { AnyRule, RuleId } from './types.ts';

export const SMELL_RULES: readonly AnyRule[] = [
  sharedDatabase,
  serviceIntimacy,
  syncChain,
  cyclicDependency,
  nPlusOneDb,
  nPlusOneApi,
  chattyService,
  serializedCalls,
  fanOut,
  cascadingFailure,
  missingCircuitBreaker,
  hubService,
  noApiGateway,
  unversionedApi,
  hardCodedEndpoint,
  nanoService,
  lockstepDeploy,
];

export const ARCHITECTURE_RULES: readonly AnyRule[] = [architectureForbiddenDependency, architectureMaxChainDepth, architectureOwnership];

export const RULES: readonly AnyRule[] = [...SMELL_RULES, ...ARCHITECTURE_RULES];
export const RULES_BY_ID: ReadonlyMap<RuleId, AnyRule> = new Map(RULES.map((r) => [r.id, r]));
export const ALL_RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);
/** Registry order, for sorting findings of equal severity. */
export const RULE_ORDER: ReadonlyMap<RuleId, number> = new Map(RULES.map((r, i) => [r.id, i]));

export function getRule(id: string): AnyRule | undefined {
  return RULES_BY_ID.get(id as RuleId);
}
