CREATE TABLE "crisis_disclosures" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"crisis_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"role" text NOT NULL,
	"channel" text,
	"told_at" timestamp with time zone,
	"note" text,
	"not_told_reason" text,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crisis_disclosures_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "crisis_disclosures_told_ck" CHECK (("crisis_disclosures"."not_told_reason" is null and "crisis_disclosures"."channel" is not null and "crisis_disclosures"."told_at" is not null)
    or ("crisis_disclosures"."not_told_reason" is not null and "crisis_disclosures"."role" = 'guardian' and "crisis_disclosures"."channel" is null and "crisis_disclosures"."told_at" is null))
);
--> statement-breakpoint
CREATE TABLE "safety_assessments" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"crisis_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"case_id" uuid,
	"form_code" text NOT NULL,
	"form_version" smallint NOT NULL,
	"answers" jsonb NOT NULL,
	"disposition" text NOT NULL,
	"follow_up_on" date,
	"reason" text,
	"referral_id" uuid,
	"assessed_by" uuid,
	"assessed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "safety_assessments_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "safety_assessments_crisis_uq" UNIQUE("school_id","crisis_id"),
	CONSTRAINT "safety_assessments_disposition_ck" CHECK ("safety_assessments"."disposition" in ('emergency', 'safety_plan', 'none')
    and ("safety_assessments"."disposition" <> 'safety_plan' or "safety_assessments"."follow_up_on" is not null)
    and ("safety_assessments"."disposition" <> 'none' or "safety_assessments"."reason" is not null)
    and ("safety_assessments"."disposition" <> 'emergency' or "safety_assessments"."referral_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "crisis_events" ADD COLUMN "follow_up_on" date;--> statement-breakpoint
ALTER TABLE "crisis_events" ADD COLUMN "parent_contact_due_on" date;--> statement-breakpoint
ALTER TABLE "referrals" ADD COLUMN "urgent" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "crisis_disclosures" ADD CONSTRAINT "crisis_disclosures_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crisis_disclosures" ADD CONSTRAINT "crisis_disclosures_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crisis_disclosures" ADD CONSTRAINT "crisis_disclosures_school_id_crisis_id_crisis_events_school_id_id_fk" FOREIGN KEY ("school_id","crisis_id") REFERENCES "public"."crisis_events"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crisis_disclosures" ADD CONSTRAINT "crisis_disclosures_school_id_student_id_students_school_id_id_fk" FOREIGN KEY ("school_id","student_id") REFERENCES "public"."students"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_assessments" ADD CONSTRAINT "safety_assessments_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_assessments" ADD CONSTRAINT "safety_assessments_assessed_by_users_id_fk" FOREIGN KEY ("assessed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_assessments" ADD CONSTRAINT "safety_assessments_school_id_crisis_id_crisis_events_school_id_id_fk" FOREIGN KEY ("school_id","crisis_id") REFERENCES "public"."crisis_events"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_assessments" ADD CONSTRAINT "safety_assessments_school_id_student_id_students_school_id_id_fk" FOREIGN KEY ("school_id","student_id") REFERENCES "public"."students"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "crisis_disclosures_crisis_idx" ON "crisis_disclosures" USING btree ("school_id","crisis_id");