import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { authConfig } from '../../config/auth.config';
import { ApiKeysRepository } from './api-keys.repository';
import { AuthGuard } from './auth.guard';
import { AUTH_METRICS } from './auth.metrics';
import { Authenticator } from './authenticator';
import { DocsAccess } from './docs-access';
import { KeysController } from './keys.controller';
import { KeysService } from './keys.service';
import { RevocationChannel } from './revocation-channel';

// API keys and authentication, in the API process only: the consumer neither serves clients nor
// loads the bootstrap key. AppModule registers AuthGuard as its global guard; resolve's raw route
// uses the Authenticator directly.
@Module({
  imports: [ConfigModule.forFeature(authConfig)],
  controllers: [KeysController],
  providers: [ApiKeysRepository, Authenticator, AuthGuard, DocsAccess, KeysService, RevocationChannel, ...AUTH_METRICS],
  exports: [Authenticator, AuthGuard],
})
export class AuthModule {}
