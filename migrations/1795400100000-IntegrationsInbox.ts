import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Integrations (with sealed/hashed credentials), the durable webhook inbox and the rejection audit
 * (src/integrations/integration.entity.ts, src/webhooks/*.entity.ts). Hand-written to match the entities.
 */
export class IntegrationsInbox1795400100000 implements MigrationInterface {
  name = 'IntegrationsInbox1795400100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "integrations" (
        "id" varchar(64) NOT NULL,
        "name" varchar(200) NOT NULL,
        "provider" varchar(32) NOT NULL,
        "signing_secret_sealed" text,
        "basic_auth_username" varchar(200),
        "basic_auth_password_hash" text,
        "secret_header_name" varchar(200),
        "secret_header_value_hash" text,
        "mapping" jsonb NOT NULL,
        "replay_window_seconds" integer,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_integrations" PRIMARY KEY ("id")
      )`);

    await queryRunner.query(`
      CREATE TABLE "inbox_deliveries" (
        "id" bigserial NOT NULL,
        "integration_id" varchar(64) NOT NULL,
        "delivery_key" varchar(255) NOT NULL,
        "received_at" timestamptz NOT NULL,
        "headers" jsonb NOT NULL,
        "body" bytea NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        "processed_at" timestamptz,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_inbox_deliveries" PRIMARY KEY ("id"),
        CONSTRAINT "uq_inbox_deliveries_integration_key" UNIQUE ("integration_id", "delivery_key"),
        CONSTRAINT "fk_inbox_deliveries_integration" FOREIGN KEY ("integration_id")
          REFERENCES "integrations" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_inbox_deliveries_status" ON "inbox_deliveries" ("status", "updated_at")`,
    );

    await queryRunner.query(`
      CREATE TABLE "webhook_rejections" (
        "id" bigserial NOT NULL,
        "integration_id" varchar(64) NOT NULL,
        "status" smallint NOT NULL,
        "reason" varchar(64) NOT NULL,
        "received_at" timestamptz NOT NULL,
        CONSTRAINT "pk_webhook_rejections" PRIMARY KEY ("id"),
        CONSTRAINT "fk_webhook_rejections_integration" FOREIGN KEY ("integration_id")
          REFERENCES "integrations" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_rejections_integration_time" ON "webhook_rejections" ("integration_id", "received_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "webhook_rejections"`);
    await queryRunner.query(`DROP TABLE "inbox_deliveries"`);
    await queryRunner.query(`DROP TABLE "integrations"`);
  }
}
