CREATE TABLE "support_teams" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"student_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"start_date" date NOT NULL,
	"ended_at" timestamp with time zone,
	"ended_reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "support_teams_school_id_id_pk" PRIMARY KEY("school_id","id")
);
--> statement-breakpoint
CREATE TABLE "emergency_drills" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"drill_date" date NOT NULL,
	"reach" text DEFAULT 'school' NOT NULL,
	"scenario" text NOT NULL,
	"participants" integer,
	"review" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "emergency_drills_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "emergency_drills_reach_ck" CHECK ("emergency_drills"."reach" in ('school', 'grade', 'class'))
);
--> statement-breakpoint
CREATE TABLE "emergency_plans" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"version" integer NOT NULL,
	"title" text NOT NULL,
	"adopted_on" date NOT NULL,
	"change_note" text,
	"document_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "emergency_plans_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "emergency_plans_version_uq" UNIQUE("school_id","version")
);
--> statement-breakpoint
CREATE TABLE "inspection_documents" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"file_name" text NOT NULL,
	"media_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"content" "bytea" NOT NULL,
	"uploaded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inspection_documents_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "inspection_documents_size_ck" CHECK ("inspection_documents"."size_bytes" between 1 and 10485760)
);
--> statement-breakpoint
CREATE TABLE "inspection_visits" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"visited_on" date NOT NULL,
	"inspector_name" text NOT NULL,
	"inspector_role" text,
	"notice_ref" text,
	"summary" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inspection_visits_school_id_id_pk" PRIMARY KEY("school_id","id")
);
--> statement-breakpoint
CREATE TABLE "leadership_meetings" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"meeting_date" date NOT NULL,
	"topic" text NOT NULL,
	"attendees" smallint,
	"minutes_document_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "leadership_meetings_school_id_id_pk" PRIMARY KEY("school_id","id")
);
--> statement-breakpoint
CREATE TABLE "leadership_members" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"name" text,
	"post" text NOT NULL,
	"group_role" text NOT NULL,
	"since" date NOT NULL,
	"until" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "leadership_members_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "leadership_members_who_ck" CHECK ("leadership_members"."user_id" is not null or "leadership_members"."name" is not null),
	CONSTRAINT "leadership_members_role_ck" CHECK ("leadership_members"."group_role" in ('leader', 'deputy', 'member'))
);
--> statement-breakpoint
CREATE TABLE "lesson_records" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"class_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"held_on" date NOT NULL,
	"periods" smallint DEFAULT 1 NOT NULL,
	"topic" text,
	"teacher_id" uuid,
	"source" text DEFAULT 'manual' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lesson_records_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "lesson_records_once_uq" UNIQUE("school_id","class_id","kind","held_on"),
	CONSTRAINT "lesson_records_kind_ck" CHECK ("lesson_records"."kind" in ('life_safety', 'mental_health', 'class_meeting', 'sunshine')),
	CONSTRAINT "lesson_records_periods_ck" CHECK ("lesson_records"."periods" between 1 and 10)
);
--> statement-breakpoint
CREATE TABLE "rectification_checks" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"item_id" uuid NOT NULL,
	"checked_on" date NOT NULL,
	"rectified" boolean NOT NULL,
	"reason" text,
	"checked_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rectification_checks_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "rectification_checks_reason_ck" CHECK ("rectification_checks"."rectified" or "rectification_checks"."reason" is not null)
);
--> statement-breakpoint
CREATE TABLE "rectification_items" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"visit_id" uuid NOT NULL,
	"item_code" text NOT NULL,
	"problem" text NOT NULL,
	"measure" text,
	"responsible_user_id" uuid,
	"responsible_name" text,
	"deadline" date NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"rectified_on" date,
	"overdue_notified_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rectification_items_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "rectification_items_status_ck" CHECK ("rectification_items"."status" in ('open', 'rectified'))
);
--> statement-breakpoint
CREATE TABLE "rectification_notes" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"item_id" uuid NOT NULL,
	"noted_on" date NOT NULL,
	"body" text NOT NULL,
	"document_id" uuid,
	"author_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rectification_notes_school_id_id_pk" PRIMARY KEY("school_id","id")
);
--> statement-breakpoint
CREATE TABLE "school_activities" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date,
	"reach" text DEFAULT 'school' NOT NULL,
	"grade_id" uuid,
	"class_id" uuid,
	"participants" integer NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "school_activities_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "school_activities_kind_ck" CHECK ("school_activities"."kind" in ('mental_health_day', 'mental_health_month', 'opening_ceremony', 'other')),
	CONSTRAINT "school_activities_reach_ck" CHECK ("school_activities"."reach" in ('school', 'grade', 'class')),
	CONSTRAINT "school_activities_participants_ck" CHECK ("school_activities"."participants" >= 0),
	CONSTRAINT "school_activities_dates_ck" CHECK ("school_activities"."ends_on" is null or "school_activities"."ends_on" >= "school_activities"."starts_on")
);
--> statement-breakpoint
CREATE TABLE "self_checks" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"period_kind" text NOT NULL,
	"period_key" text NOT NULL,
	"checklist_id" text NOT NULL,
	"highlights" text,
	"problems" text,
	"remarks" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"inspector" text,
	"inspected_on" date,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "self_checks_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "self_checks_period_uq" UNIQUE("school_id","period_kind","period_key"),
	CONSTRAINT "self_checks_kind_ck" CHECK ("self_checks"."period_kind" in ('term', 'school_year'))
);
--> statement-breakpoint
CREATE TABLE "staff_trainings" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"name" text,
	"course" text NOT NULL,
	"provider" text,
	"hours" numeric(6, 1) NOT NULL,
	"completed_on" date NOT NULL,
	"certificate" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_trainings_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "staff_trainings_who_ck" CHECK ("staff_trainings"."user_id" is not null or "staff_trainings"."name" is not null),
	CONSTRAINT "staff_trainings_hours_ck" CHECK ("staff_trainings"."hours" > 0 and "staff_trainings"."hours" <= 1000)
);
--> statement-breakpoint
CREATE TABLE "yearly_plans" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"school_year" text NOT NULL,
	"title" text,
	"adopted_on" date,
	"plan_document_id" uuid,
	"budget_yuan" numeric(12, 2),
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "yearly_plans_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "yearly_plans_year_uq" UNIQUE("school_id","school_year"),
	CONSTRAINT "yearly_plans_budget_ck" CHECK ("yearly_plans"."budget_yuan" is null or "yearly_plans"."budget_yuan" >= 0)
);
--> statement-breakpoint
ALTER TABLE "pairings" ADD COLUMN "team_id" uuid;--> statement-breakpoint
ALTER TABLE "pairings" ADD COLUMN "team_role" text;--> statement-breakpoint
ALTER TABLE "group_sessions" ADD COLUMN "kind" text DEFAULT 'general' NOT NULL;--> statement-breakpoint
ALTER TABLE "support_teams" ADD CONSTRAINT "support_teams_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_teams" ADD CONSTRAINT "support_teams_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_teams" ADD CONSTRAINT "support_teams_school_id_student_id_students_school_id_id_fk" FOREIGN KEY ("school_id","student_id") REFERENCES "public"."students"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emergency_drills" ADD CONSTRAINT "emergency_drills_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emergency_drills" ADD CONSTRAINT "emergency_drills_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emergency_plans" ADD CONSTRAINT "emergency_plans_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emergency_plans" ADD CONSTRAINT "emergency_plans_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emergency_plans" ADD CONSTRAINT "emergency_plans_school_id_document_id_inspection_documents_school_id_id_fk" FOREIGN KEY ("school_id","document_id") REFERENCES "public"."inspection_documents"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inspection_documents" ADD CONSTRAINT "inspection_documents_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inspection_documents" ADD CONSTRAINT "inspection_documents_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inspection_visits" ADD CONSTRAINT "inspection_visits_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inspection_visits" ADD CONSTRAINT "inspection_visits_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leadership_meetings" ADD CONSTRAINT "leadership_meetings_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leadership_meetings" ADD CONSTRAINT "leadership_meetings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leadership_meetings" ADD CONSTRAINT "leadership_meetings_school_id_minutes_document_id_inspection_documents_school_id_id_fk" FOREIGN KEY ("school_id","minutes_document_id") REFERENCES "public"."inspection_documents"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leadership_members" ADD CONSTRAINT "leadership_members_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leadership_members" ADD CONSTRAINT "leadership_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_records" ADD CONSTRAINT "lesson_records_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_records" ADD CONSTRAINT "lesson_records_teacher_id_users_id_fk" FOREIGN KEY ("teacher_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_records" ADD CONSTRAINT "lesson_records_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_records" ADD CONSTRAINT "lesson_records_school_id_class_id_classes_school_id_id_fk" FOREIGN KEY ("school_id","class_id") REFERENCES "public"."classes"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_checks" ADD CONSTRAINT "rectification_checks_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_checks" ADD CONSTRAINT "rectification_checks_checked_by_users_id_fk" FOREIGN KEY ("checked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_checks" ADD CONSTRAINT "rectification_checks_school_id_item_id_rectification_items_school_id_id_fk" FOREIGN KEY ("school_id","item_id") REFERENCES "public"."rectification_items"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_items" ADD CONSTRAINT "rectification_items_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_items" ADD CONSTRAINT "rectification_items_responsible_user_id_users_id_fk" FOREIGN KEY ("responsible_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_items" ADD CONSTRAINT "rectification_items_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_items" ADD CONSTRAINT "rectification_items_school_id_visit_id_inspection_visits_school_id_id_fk" FOREIGN KEY ("school_id","visit_id") REFERENCES "public"."inspection_visits"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_notes" ADD CONSTRAINT "rectification_notes_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_notes" ADD CONSTRAINT "rectification_notes_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_notes" ADD CONSTRAINT "rectification_notes_school_id_item_id_rectification_items_school_id_id_fk" FOREIGN KEY ("school_id","item_id") REFERENCES "public"."rectification_items"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_notes" ADD CONSTRAINT "rectification_notes_school_id_document_id_inspection_documents_school_id_id_fk" FOREIGN KEY ("school_id","document_id") REFERENCES "public"."inspection_documents"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_activities" ADD CONSTRAINT "school_activities_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_activities" ADD CONSTRAINT "school_activities_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_activities" ADD CONSTRAINT "school_activities_school_id_class_id_classes_school_id_id_fk" FOREIGN KEY ("school_id","class_id") REFERENCES "public"."classes"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "self_checks" ADD CONSTRAINT "self_checks_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "self_checks" ADD CONSTRAINT "self_checks_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_trainings" ADD CONSTRAINT "staff_trainings_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_trainings" ADD CONSTRAINT "staff_trainings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_trainings" ADD CONSTRAINT "staff_trainings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "yearly_plans" ADD CONSTRAINT "yearly_plans_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "yearly_plans" ADD CONSTRAINT "yearly_plans_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "yearly_plans" ADD CONSTRAINT "yearly_plans_school_id_plan_document_id_inspection_documents_school_id_id_fk" FOREIGN KEY ("school_id","plan_document_id") REFERENCES "public"."inspection_documents"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "support_teams_student_idx" ON "support_teams" USING btree ("school_id","student_id");--> statement-breakpoint
CREATE INDEX "emergency_drills_date_idx" ON "emergency_drills" USING btree ("school_id","drill_date");--> statement-breakpoint
CREATE INDEX "inspection_visits_date_idx" ON "inspection_visits" USING btree ("school_id","visited_on");--> statement-breakpoint
CREATE INDEX "leadership_meetings_date_idx" ON "leadership_meetings" USING btree ("school_id","meeting_date");--> statement-breakpoint
CREATE INDEX "lesson_records_held_idx" ON "lesson_records" USING btree ("school_id","held_on");--> statement-breakpoint
CREATE INDEX "rectification_checks_item_idx" ON "rectification_checks" USING btree ("school_id","item_id");--> statement-breakpoint
CREATE INDEX "rectification_items_visit_idx" ON "rectification_items" USING btree ("school_id","visit_id");--> statement-breakpoint
CREATE INDEX "rectification_items_open_idx" ON "rectification_items" USING btree ("school_id","deadline") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "rectification_notes_item_idx" ON "rectification_notes" USING btree ("school_id","item_id");--> statement-breakpoint
CREATE INDEX "school_activities_starts_idx" ON "school_activities" USING btree ("school_id","starts_on");--> statement-breakpoint
CREATE INDEX "staff_trainings_completed_idx" ON "staff_trainings" USING btree ("school_id","completed_on");--> statement-breakpoint
CREATE INDEX "staff_trainings_user_idx" ON "staff_trainings" USING btree ("school_id","user_id");--> statement-breakpoint
ALTER TABLE "pairings" ADD CONSTRAINT "pairings_school_id_team_id_support_teams_school_id_id_fk" FOREIGN KEY ("school_id","team_id") REFERENCES "public"."support_teams"("school_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pairings_team_idx" ON "pairings" USING btree ("school_id","team_id");--> statement-breakpoint
ALTER TABLE "group_sessions" ADD CONSTRAINT "group_sessions_kind_ck" CHECK ("group_sessions"."kind" in ('general', 'special_students', 'special_parents'));