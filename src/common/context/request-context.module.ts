import { Global, Module } from '@nestjs/common';
import { ClsService, ClsServiceManager } from 'nestjs-cls';

// The request context (correlation id) is nestjs-cls's ClsService, started per HTTP request by a
// Fastify onRequest hook (http-setup.ts) and per Kafka message by EventDelivery. ClsModule.forRoot
// is not used because it always registers a global guard and a global interceptor, even with
// nothing mounted, and each costs more per request than a whole bare Fastify request here.
@Global()
@Module({
  providers: [{ provide: ClsService, useFactory: () => ClsServiceManager.getClsService() }],
  exports: [ClsService],
})
export class RequestContextModule {}
