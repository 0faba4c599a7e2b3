-- A transfer package is seen by two schools: the sending school (school_id) always, the receiving
-- school (to_school_id) once it was sent. Its own wall is made first, so the generic one below
-- leaves this table alone.
ALTER TABLE student_transfers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY school_wall ON student_transfers
  USING (school_id = app_school_id() OR (to_school_id = app_school_id() AND status <> 'draft'))
  WITH CHECK (school_id = app_school_id() OR (to_school_id = app_school_id() AND status <> 'draft'));
--> statement-breakpoint
-- The data keys and the recovery codes: each school's own (school_keys), or reached only by the owner (codes).
SELECT xinan_enable_school_wall();
