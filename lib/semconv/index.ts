// Semantic-convention folding: one table (aliases.ts), one normalizer (normalize.ts).
export { normalizeAttributes, normalizeSpan, sideOf } from './normalize.ts';
export {
  ALIAS_KEYS,
  DB_SYSTEM_VALUES,
  GRPC_STATUS_NAMES,
  INT_KEYS,
  MESSAGING_OPERATION_VALUES,
  RENAMES,
  SIDE_RENAMES,
  SPECIAL_KEYS,
} from './aliases.ts';
