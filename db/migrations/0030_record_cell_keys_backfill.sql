-- Rows written before cell_key existed keep the key the district releases have always used
-- for them, the keyed hash of their id (md5 of the installation's secret and the id, first
-- 32 bits), so a release after this migration reads the same key for the same record as one
-- before it. Without a secret no release was ever made and the random default stands.
UPDATE "students" SET "cell_key" = (('x' || substr(md5(k."secret" || "students"."id"::text), 1, 8))::bit(32)::bigint)
FROM "cell_key_secrets" k WHERE k."id" = 1;--> statement-breakpoint
UPDATE "talk_duties" SET "cell_key" = (('x' || substr(md5(k."secret" || "talk_duties"."id"::text), 1, 8))::bit(32)::bigint)
FROM "cell_key_secrets" k WHERE k."id" = 1;
