// The module's public surface (dependency-cruiser: other modules import only from here).
export * from './cloud-event';
export * from './webhook-queue';
export * from './webhooks.module';
export * from './webhooks.repository';
export * from './webhook-deliveries.repository';
