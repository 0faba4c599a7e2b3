CREATE TABLE "cell_key_secrets" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cell_key_secrets_one_ck" CHECK ("cell_key_secrets"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "district_releases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"district_id" uuid NOT NULL,
	"released_on" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"trigger" text NOT NULL,
	"requested_by" uuid,
	"school_ids" uuid[] NOT NULL,
	"payload" jsonb NOT NULL,
	CONSTRAINT "district_releases_trigger_ck" CHECK ("district_releases"."trigger" in ('scheduled', 'on_demand', 'first_read'))
);
--> statement-breakpoint
ALTER TABLE "district_releases" ADD CONSTRAINT "district_releases_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "district_releases" ADD CONSTRAINT "district_releases_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "district_releases_district_idx" ON "district_releases" USING btree ("district_id","created_at");--> statement-breakpoint
-- Releases are frozen: the app role may read them but never change or remove one.
REVOKE UPDATE, DELETE ON "district_releases" FROM xinan_app;--> statement-breakpoint
-- The record-key secret is read only on the owner's connection, never through the app role.
REVOKE ALL ON "cell_key_secrets" FROM xinan_app;
