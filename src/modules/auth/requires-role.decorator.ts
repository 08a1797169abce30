import { SetMetadata } from '@nestjs/common';
import { Role } from '../../contracts/principal';

export const REQUIRED_ROLE = Symbol('REQUIRED_ROLE');

// The role a controller's (or handler's) operations need, when @OperationClass does not say it
// (writes: writer; audit and resolve: reader). Without either, AuthGuard requires admin.
export const RequiresRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);
