import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './access.guard.js';
import type { Role } from './roles.js';

/**
 * Who makes a change, for the audit log: the API key of the request (its id, name and role, and the request id),
 * or a named process without a key (`cli`, `bootstrap`, `system`) with null key id and role.
 */
export interface Actor {
  keyId: string | null;
  name: string;
  role: Role | null;
  requestId: string | null;
}

/** An actor that is not an API key: the key CLI, the bootstrap key, a test or a background process. */
export function processActor(name: 'cli' | 'bootstrap' | 'system'): Actor {
  return { keyId: null, name, role: null, requestId: null };
}

/**
 * The authenticated caller of a route, as an Actor: `create(@CurrentActor() actor: Actor)`. Only for routes behind a
 * role: the access guard sets `request.principal` before the handler runs.
 */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const principal = request.principal;
  if (!principal) throw new Error('CurrentActor is used on a route without an authenticated key.');
  return {
    keyId: principal.keyId,
    name: principal.name,
    role: principal.role,
    requestId: String(request.id),
  };
});
