import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications: `notification_channels` are where warnings and breaches are sent (a signed webhook, a Slack
 * incoming webhook), with the channel's own subscription filter; the URL and signing secret are sealed with
 * SecretBox. `notifications` holds one delivery per (step, event, channel) — the unique key makes it created once,
 * whichever process (event listener or reconciler) gets there first.
 */
export class Notifications1795400900000 implements MigrationInterface {
  name = 'Notifications1795400900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "notification_channels" (
        "id" varchar(64) NOT NULL,
        "name" varchar(200) NOT NULL,
        "type" varchar(16) NOT NULL,
        "target_sealed" text NOT NULL,
        "secret_sealed" text,
        "subscribe" jsonb NOT NULL DEFAULT '{}',
        "enabled" boolean NOT NULL DEFAULT true,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_notification_channels" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "notifications" (
        "id" bigserial NOT NULL,
        "step_id" bigint NOT NULL,
        "event" varchar(16) NOT NULL,
        "channel_id" varchar(64) NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        "idempotency_key" uuid NOT NULL DEFAULT gen_random_uuid(),
        "sending_since" timestamptz,
        "sent_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_notifications" PRIMARY KEY ("id"),
        CONSTRAINT "uq_notifications_step_channel" UNIQUE ("step_id", "event", "channel_id"),
        CONSTRAINT "fk_notifications_step" FOREIGN KEY ("step_id") REFERENCES "sla_steps" ("id") ON DELETE CASCADE,
        CONSTRAINT "fk_notifications_channel" FOREIGN KEY ("channel_id")
          REFERENCES "notification_channels" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_notifications_open" ON "notifications" ("created_at") WHERE "status" = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notifications"`);
    await queryRunner.query(`DROP TABLE "notification_channels"`);
  }
}
