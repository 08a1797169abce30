import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = Symbol('IS_PUBLIC');

// Served without an API key (the API's authentication guard, modules/auth, skips it): probes that
// load balancers and orchestrators call without credentials. Lives here, not in modules/auth, so
// the modules that own such controllers need not depend on authentication.
export const Public = () => SetMetadata(IS_PUBLIC, true);
