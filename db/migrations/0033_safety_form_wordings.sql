CREATE TABLE "safety_form_wordings" (
	"school_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"form_code" text NOT NULL,
	"texts" jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "safety_form_wordings_school_id_id_pk" PRIMARY KEY("school_id","id"),
	CONSTRAINT "safety_form_wordings_form_uq" UNIQUE("school_id","form_code")
);
--> statement-breakpoint
ALTER TABLE "safety_form_wordings" ADD CONSTRAINT "safety_form_wordings_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_form_wordings" ADD CONSTRAINT "safety_form_wordings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;