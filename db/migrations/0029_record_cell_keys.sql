CREATE TABLE "student_cell_keys" (
	"school_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"cell_key" bigint DEFAULT (('x' || substr(gen_random_uuid()::text, 1, 8))::bit(32)::bigint) NOT NULL,
	CONSTRAINT "student_cell_keys_school_id_student_id_pk" PRIMARY KEY("school_id","student_id")
);
--> statement-breakpoint
ALTER TABLE "talk_duties" ADD COLUMN "cell_key" bigint DEFAULT (('x' || substr(gen_random_uuid()::text, 1, 8))::bit(32)::bigint) NOT NULL;