export type ConsumerGroupType = 'cache_invalidation' | 'cache_warming' | 'audit_log';

// Each group type has its own Nest transport id, so a handler only runs in its own group.
export const GROUP_TRANSPORTS: Record<ConsumerGroupType, symbol> = {
  cache_invalidation: Symbol('kafka:cache_invalidation'),
  cache_warming: Symbol('kafka:cache_warming'),
  audit_log: Symbol('kafka:audit_log'),
};

// Same group ids as the seed (`traffic-manager-cache_invalidation`, ...), so committed offsets carry over.
export function groupId(prefix: string, type: ConsumerGroupType): string {
  return `${prefix}-${type}`;
}
