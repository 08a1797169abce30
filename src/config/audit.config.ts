import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

// The audit query API's settings (the API process only).
export const auditConfig = registerAs('audit', () => {
  const env = loadEnv();
  return {
    // GET /api/v1/audit/verify expects an audit document for every change committed longer ago than this.
    verifyGraceMs: env.AUDIT_VERIFY_GRACE_MS,
  };
});
