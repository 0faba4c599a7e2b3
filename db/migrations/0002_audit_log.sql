CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"ts" timestamp (6) with time zone NOT NULL,
	"actor_id" uuid,
	"actor_roles" text NOT NULL,
	"action" text NOT NULL,
	"resource" text NOT NULL,
	"record_ids" text[] NOT NULL,
	"student_ids" uuid[] NOT NULL,
	"field_groups" text[] NOT NULL,
	"outcome" text NOT NULL,
	"request_id" text,
	"purpose" text,
	"school_id" uuid,
	"prev_hash" text,
	"row_hash" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_log_school_ts_idx" ON "audit_log" USING btree ("school_id","ts");--> statement-breakpoint
CREATE INDEX "audit_log_students_gin" ON "audit_log" USING gin ("student_ids");