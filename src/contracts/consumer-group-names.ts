// The consumer groups' names: part of the contract with Kafka (group ids `<prefix>-<name>`, the same
// as the seed's) and the CONSUMER_GROUPS setting. Each name has exactly one row in the table of
// src/modules/consumers/consumer-groups.ts; the compiler enforces it both ways.
export const CONSUMER_GROUP_NAMES = ['cache_invalidation', 'cache_warming', 'audit_log', 'webhooks'] as const;

export type ConsumerGroupName = (typeof CONSUMER_GROUP_NAMES)[number];
