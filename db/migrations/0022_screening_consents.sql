CREATE TABLE "screening_consents" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"guardian_consent" text DEFAULT 'not_returned' NOT NULL,
	"guardian_recorded_by" uuid,
	"guardian_recorded_at" timestamp with time zone,
	"student_assent" text DEFAULT 'not_asked' NOT NULL,
	"assent_recorded_by" uuid,
	"assent_recorded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "screening_consents_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "screening_consents_once_uq" UNIQUE("school_id","campaign_id","student_id")
);
--> statement-breakpoint
ALTER TABLE "screening_campaigns" ADD COLUMN "consent_required" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "screening_responses" ADD COLUMN "consent_override_reason" text;--> statement-breakpoint
ALTER TABLE "screening_consents" ADD CONSTRAINT "screening_consents_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening_consents" ADD CONSTRAINT "screening_consents_guardian_recorded_by_users_id_fk" FOREIGN KEY ("guardian_recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening_consents" ADD CONSTRAINT "screening_consents_assent_recorded_by_users_id_fk" FOREIGN KEY ("assent_recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening_consents" ADD CONSTRAINT "screening_consents_school_id_campaign_id_screening_campaigns_school_id_id_fk" FOREIGN KEY ("school_id","campaign_id") REFERENCES "public"."screening_campaigns"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening_consents" ADD CONSTRAINT "screening_consents_school_id_student_id_students_school_id_id_fk" FOREIGN KEY ("school_id","student_id") REFERENCES "public"."students"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "screening_consents_student_idx" ON "screening_consents" USING btree ("school_id","student_id");