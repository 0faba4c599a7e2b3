CREATE TABLE "barometer_entries" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"class_id" uuid NOT NULL,
	"period_key" text NOT NULL,
	"submitted_by" uuid NOT NULL,
	"submitter_role" text NOT NULL,
	"mood" smallint NOT NULL,
	"events" text,
	"named_count" smallint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "barometer_entries_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "barometer_entries_once_uq" UNIQUE("school_id","class_id","period_key","submitted_by"),
	CONSTRAINT "barometer_entries_mood_ck" CHECK ("barometer_entries"."mood" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "barometer_settings" (
	"school_id" uuid PRIMARY KEY NOT NULL,
	"period" text DEFAULT 'weekly' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "group_sessions" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"session_date" date NOT NULL,
	"topic" text NOT NULL,
	"attendance" integer NOT NULL,
	"duration_min" smallint,
	"facilitator_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "group_sessions_school_id_id_pk" PRIMARY KEY("school_id","id")
);
--> statement-breakpoint
CREATE TABLE "letter_boxes" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"open" boolean DEFAULT false NOT NULL,
	"closed_message" text,
	"code_key" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "letter_boxes_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "letter_boxes_school_uq" UNIQUE("school_id"),
	CONSTRAINT "letter_boxes_slug_uq" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "letters" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"box_id" uuid NOT NULL,
	"written_on" date NOT NULL,
	"body" text NOT NULL,
	"writer_name" text,
	"writer_class" text,
	"category" text,
	"urgent" boolean DEFAULT false NOT NULL,
	"danger" boolean DEFAULT false NOT NULL,
	"reply_text" text,
	"replied_on" date,
	"replied_by" uuid,
	"reply_code_hash" text NOT NULL,
	CONSTRAINT "letters_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "letters_reply_code_uq" UNIQUE("school_id","reply_code_hash")
);
--> statement-breakpoint
CREATE TABLE "room_settings" (
	"school_id" uuid PRIMARY KEY NOT NULL,
	"location" text,
	"opening_hours" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "room_visits" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"student_id" uuid,
	"visit_date" date NOT NULL,
	"duration_min" smallint NOT NULL,
	"topic" text NOT NULL,
	"follow_up" text DEFAULT 'none' NOT NULL,
	"counsellor_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "room_visits_school_id_id_pk" PRIMARY KEY("school_id","id")
);
--> statement-breakpoint
CREATE TABLE "staff_profiles" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"name" text,
	"employment" text NOT NULL,
	"qualifications" text[] DEFAULT '{}'::text[] NOT NULL,
	"training_hours_year" integer DEFAULT 0 NOT NULL,
	"training_year" smallint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_profiles_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "staff_profiles_user_uq" UNIQUE("school_id","user_id"),
	CONSTRAINT "staff_profiles_who_ck" CHECK ("staff_profiles"."user_id" is not null or "staff_profiles"."name" is not null)
);
--> statement-breakpoint
ALTER TABLE "barometer_entries" ADD CONSTRAINT "barometer_entries_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "barometer_entries" ADD CONSTRAINT "barometer_entries_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "barometer_entries" ADD CONSTRAINT "barometer_entries_school_id_class_id_classes_school_id_id_fk" FOREIGN KEY ("school_id","class_id") REFERENCES "public"."classes"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "barometer_settings" ADD CONSTRAINT "barometer_settings_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_sessions" ADD CONSTRAINT "group_sessions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_sessions" ADD CONSTRAINT "group_sessions_facilitator_id_users_id_fk" FOREIGN KEY ("facilitator_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letter_boxes" ADD CONSTRAINT "letter_boxes_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letters" ADD CONSTRAINT "letters_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letters" ADD CONSTRAINT "letters_replied_by_users_id_fk" FOREIGN KEY ("replied_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letters" ADD CONSTRAINT "letters_school_id_box_id_letter_boxes_school_id_id_fk" FOREIGN KEY ("school_id","box_id") REFERENCES "public"."letter_boxes"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_settings" ADD CONSTRAINT "room_settings_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_visits" ADD CONSTRAINT "room_visits_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_visits" ADD CONSTRAINT "room_visits_counsellor_id_users_id_fk" FOREIGN KEY ("counsellor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_visits" ADD CONSTRAINT "room_visits_school_id_student_id_students_school_id_id_fk" FOREIGN KEY ("school_id","student_id") REFERENCES "public"."students"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_profiles" ADD CONSTRAINT "staff_profiles_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_profiles" ADD CONSTRAINT "staff_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "barometer_entries_submitter_idx" ON "barometer_entries" USING btree ("school_id","submitted_by");--> statement-breakpoint
CREATE INDEX "group_sessions_date_idx" ON "group_sessions" USING btree ("school_id","session_date");--> statement-breakpoint
CREATE INDEX "letters_written_idx" ON "letters" USING btree ("school_id","written_on");--> statement-breakpoint
CREATE INDEX "room_visits_date_idx" ON "room_visits" USING btree ("school_id","visit_date");--> statement-breakpoint
CREATE INDEX "room_visits_student_idx" ON "room_visits" USING btree ("school_id","student_id");