import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys (src/auth/api-key.entity.ts): hashed, with a visible prefix, role, expiry and revocation. */
export class ApiKeys1795400600000 implements MigrationInterface {
  name = 'ApiKeys1795400600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "api_keys" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "name" varchar(100) NOT NULL,
      "role" varchar(16) NOT NULL,
      "prefix" varchar(16) NOT NULL,
      "hash" varchar(64) NOT NULL,
      "expires_at" timestamptz,
      "last_used_at" timestamptz,
      "revoked_at" timestamptz,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_api_keys" PRIMARY KEY ("id")
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_hash" ON "api_keys" ("hash")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
