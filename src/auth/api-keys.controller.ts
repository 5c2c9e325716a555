import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiZodBody } from '../common/openapi.js';
import { type Actor, CurrentActor } from './actor.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { type ApiKeyView, ApiKeysService } from './api-keys.service.js';
import { ROLES, type Role, Roles } from './roles.js';

const createApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
type CreateApiKeyBody = z.infer<typeof createApiKeySchema>;

/** API keys, for admins. The key itself is returned once, by create; lists never show keys or hashes. */
@ApiTags('apikeys')
@Roles('admin')
@Controller('apikeys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key (the key is in this response only)' })
  @ApiZodBody(createApiKeySchema)
  create(
    @Body(new ZodValidationPipe(createApiKeySchema)) body: CreateApiKeyBody,
    @CurrentActor() actor: Actor,
  ): Promise<{ key: string; apiKey: ApiKeyView }> {
    return this.keys.create(
      { name: body.name, role: body.role, expiresAt: body.expiresAt ? new Date(body.expiresAt) : null },
      actor,
    );
  }

  @Get('me')
  @Roles('agent')
  @ApiOperation({
    summary: 'The calling key: its id, name and role (what the dashboard shows after sign-in)',
  })
  me(@CurrentActor() actor: Actor): { id: string; name: string; role: Role } {
    return { id: actor.keyId!, name: actor.name, role: actor.role! };
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (prefix, role, expiry, last use; never the key)' })
  list(): Promise<ApiKeyView[]> {
    return this.keys.list();
  }

  @Post(':id/revoke')
  @ApiOperation({ summary: 'Revoke an API key (takes effect within seconds in every process)' })
  revoke(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor): Promise<ApiKeyView> {
    return this.keys.revoke(id, actor);
  }
}
