-- Records written before their key was stored keep the key the district releases have always
-- used for them, the keyed hash of their id (md5 of the installation's secret and the id, first
-- 32 bits), so a release after this migration reads the same key for the same record as one
-- before it. Without a secret no release was ever made and the random default stands.
UPDATE "talk_duties" SET "cell_key" = (('x' || substr(md5(k."secret" || "talk_duties"."id"::text), 1, 8))::bit(32)::bigint)
FROM "cell_key_secrets" k WHERE k."id" = 1;
--> statement-breakpoint
INSERT INTO "student_cell_keys" ("school_id", "student_id", "cell_key")
SELECT s."school_id", s."id", coalesce((SELECT (('x' || substr(md5(k."secret" || s."id"::text), 1, 8))::bit(32)::bigint) FROM "cell_key_secrets" k WHERE k."id" = 1),
  (('x' || substr(gen_random_uuid()::text, 1, 8))::bit(32)::bigint))
FROM "students" s;
--> statement-breakpoint
-- A student's key is drawn when the pupil is written (one statement per insert, COPY included)
-- and removed with the pupil. Run as the owner: pupils are written by the app role, which has
-- no access to the keys.
CREATE OR REPLACE FUNCTION student_cell_keys_add() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO student_cell_keys (school_id, student_id) SELECT school_id, id FROM new_students ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION student_cell_keys_remove() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM student_cell_keys k USING old_students o WHERE k.school_id = o.school_id AND k.student_id = o.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER students_cell_key_add AFTER INSERT ON students REFERENCING NEW TABLE AS new_students FOR EACH STATEMENT EXECUTE FUNCTION student_cell_keys_add();
--> statement-breakpoint
CREATE TRIGGER students_cell_key_remove AFTER DELETE ON students REFERENCING OLD TABLE AS old_students FOR EACH STATEMENT EXECUTE FUNCTION student_cell_keys_remove();
--> statement-breakpoint
REVOKE ALL ON "student_cell_keys" FROM xinan_app;
