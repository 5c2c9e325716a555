import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { type Principal, ApiKeysService, presentedKey } from './api-keys.service.js';
import { ACCESS_METADATA, type AccessDecision, type ConfiguredAccess, roleAllows } from './roles.js';

export class ForbiddenError extends DomainError {
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}

/** The authenticated caller, set on the request by the guard (absent on public routes). */
export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/**
 * Deny by default: a route without an access decision (@Roles, @Public or @AccessFrom on the handler or
 * its controller) is refused for everyone, so a new route cannot ship open by accident.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const decision = this.reflector.getAllAndOverride<AccessDecision | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!decision) {
      throw new ForbiddenError(
        'no_access_decision',
        'This route declares no access rule, so nobody may call it.',
      );
    }
    const needed: ConfiguredAccess =
      decision.kind === 'public'
        ? 'public'
        : decision.kind === 'role'
          ? decision.role
          : this.config[decision.setting];
    if (needed === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.principal = await authorize(this.keys, request, needed);
    return true;
  }
}

/** Authenticates the request's key and checks its role; shared by the guard and plain Fastify routes (/docs). */
export async function authorize(
  keys: ApiKeysService,
  request: FastifyRequest,
  needed: Exclude<ConfiguredAccess, 'public'>,
  key: string | undefined = presentedKey(request.headers),
): Promise<Principal> {
  const principal = await keys.authenticate(key, request);
  if (!roleAllows(principal.role, needed)) {
    throw new ForbiddenError(
      'insufficient_role',
      `This route needs the ${needed} role (or higher); the key "${principal.name}" has the ${principal.role} role.`,
    );
  }
  return principal;
}
