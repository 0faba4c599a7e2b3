CREATE TABLE "school_year_rollovers" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"school_year" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_by" uuid,
	"undone_at" timestamp with time zone,
	"undone_by" uuid,
	"audit_seq" bigint NOT NULL,
	"changes" jsonb NOT NULL,
	CONSTRAINT "school_year_rollovers_school_id_id_pk" PRIMARY KEY("school_id","id")
);
--> statement-breakpoint
ALTER TABLE "classes" DROP CONSTRAINT "classes_school_grade_seq_uq";--> statement-breakpoint
ALTER TABLE "classes" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "school_year_rollovers" ADD CONSTRAINT "school_year_rollovers_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "school_year_rollovers_year_uq" ON "school_year_rollovers" USING btree ("school_id","school_year") WHERE undone_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "classes_school_grade_seq_uq" ON "classes" USING btree ("school_id","grade_id","seq") WHERE ended_at is null;
--> statement-breakpoint
-- The rollover table is school-bound like every other: row-level security on school_id.
SELECT xinan_enable_school_wall();
