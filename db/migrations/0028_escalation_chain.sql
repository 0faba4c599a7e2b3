CREATE TABLE "escalation_chains" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"steps" jsonb NOT NULL,
	"repeat_minutes" integer NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "escalation_chains_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "escalation_chains_kind_uq" UNIQUE("school_id","kind")
);
--> statement-breakpoint
CREATE TABLE "on_call_shifts" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "on_call_shifts_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "on_call_shifts_range_ck" CHECK ("on_call_shifts"."ends_at" > "on_call_shifts"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "school_hours" (
	"school_id" uuid PRIMARY KEY NOT NULL,
	"day_start" time NOT NULL,
	"day_end" time NOT NULL,
	"weekdays" smallint[] DEFAULT '{1,2,3,4,5}'::smallint[] NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "school_hours_range_ck" CHECK ("school_hours"."day_end" > "school_hours"."day_start")
);
--> statement-breakpoint
ALTER TABLE "crisis_events" ADD COLUMN "next_escalation_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "peer_alerts" ADD COLUMN "escalation_level" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "peer_alerts" ADD COLUMN "next_escalation_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "escalation_chains" ADD CONSTRAINT "escalation_chains_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_chains" ADD CONSTRAINT "escalation_chains_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "on_call_shifts" ADD CONSTRAINT "on_call_shifts_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "on_call_shifts" ADD CONSTRAINT "on_call_shifts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "on_call_shifts" ADD CONSTRAINT "on_call_shifts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_hours" ADD CONSTRAINT "school_hours_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_hours" ADD CONSTRAINT "school_hours_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "on_call_shifts_time_idx" ON "on_call_shifts" USING btree ("school_id","starts_at","ends_at");
--> statement-breakpoint
-- The chain, the roster and the school hours are school-bound like every other table: row-level security on school_id.
SELECT xinan_enable_school_wall();
