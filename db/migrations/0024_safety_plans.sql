CREATE TABLE "safety_plan_reviews" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"reviewed_on" date NOT NULL,
	"reviewer_id" uuid,
	"context" text NOT NULL,
	"note" text,
	"new_version" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "safety_plan_reviews_school_id_id_pk" PRIMARY KEY("school_id","id")
);
--> statement-breakpoint
CREATE TABLE "safety_plan_versions" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"warning_signs" jsonb NOT NULL,
	"coping_strategies" jsonb NOT NULL,
	"social_distractions" jsonb NOT NULL,
	"help_contacts" jsonb NOT NULL,
	"professionals" jsonb NOT NULL,
	"environment_safety" jsonb NOT NULL,
	"reasons_for_living" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "safety_plan_versions_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "safety_plan_versions_version_uq" UNIQUE("school_id","plan_id","version")
);
--> statement-breakpoint
CREATE TABLE "safety_plans" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"crisis_id" uuid,
	"status" text DEFAULT 'active' NOT NULL,
	"current_version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "safety_plans_school_id_id_pk" PRIMARY KEY("school_id","id")
);
--> statement-breakpoint
ALTER TABLE "safety_plan_reviews" ADD CONSTRAINT "safety_plan_reviews_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_plan_reviews" ADD CONSTRAINT "safety_plan_reviews_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_plan_reviews" ADD CONSTRAINT "safety_plan_reviews_school_id_plan_id_safety_plans_school_id_id_fk" FOREIGN KEY ("school_id","plan_id") REFERENCES "public"."safety_plans"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_plan_versions" ADD CONSTRAINT "safety_plan_versions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_plan_versions" ADD CONSTRAINT "safety_plan_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_plan_versions" ADD CONSTRAINT "safety_plan_versions_school_id_plan_id_safety_plans_school_id_id_fk" FOREIGN KEY ("school_id","plan_id") REFERENCES "public"."safety_plans"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_plans" ADD CONSTRAINT "safety_plans_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_plans" ADD CONSTRAINT "safety_plans_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_plans" ADD CONSTRAINT "safety_plans_school_id_case_id_cases_school_id_id_fk" FOREIGN KEY ("school_id","case_id") REFERENCES "public"."cases"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_plans" ADD CONSTRAINT "safety_plans_school_id_crisis_id_crisis_events_school_id_id_fk" FOREIGN KEY ("school_id","crisis_id") REFERENCES "public"."crisis_events"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "safety_plan_reviews_plan_idx" ON "safety_plan_reviews" USING btree ("school_id","plan_id","reviewed_on");--> statement-breakpoint
CREATE UNIQUE INDEX "safety_plans_active_case_uq" ON "safety_plans" USING btree ("school_id","case_id") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "safety_plans_student_idx" ON "safety_plans" USING btree ("school_id","student_id");