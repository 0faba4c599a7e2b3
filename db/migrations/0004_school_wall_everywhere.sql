-- Every table whose rows belong to one school (school_id NOT NULL) gets the school wall,
-- now and whenever a later migration calls this again after adding tables: a new personal
-- table cannot be forgotten. test/db/rls.test.ts checks that none is.
CREATE OR REPLACE FUNCTION xinan_enable_school_wall() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  t record;
  n integer := 0;
BEGIN
  FOR t IN
    SELECT c.relname
    FROM pg_class c
    JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'school_id' AND a.attnotnull AND NOT a.attisdropped
    WHERE c.relkind = 'r' AND c.relname <> 'audit_log'
      AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'school_wall')
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.relname);
    EXECUTE format('CREATE POLICY school_wall ON %I USING (school_id = app_school_id()) WITH CHECK (school_id = app_school_id())', t.relname);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
--> statement-breakpoint
SELECT xinan_enable_school_wall();
