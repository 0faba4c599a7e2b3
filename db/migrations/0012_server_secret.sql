-- The JWT signing secret of server mode when JWT_SECRET is not set: generated once by the first
-- instance and shared by every instance and restart on this database. It lives outside `public`
-- (whose default privileges grant xinan_app every table) in a schema only its owner, the login
-- role the app connects as, may use: the RLS role xinan_app and PUBLIC get nothing.
CREATE SCHEMA IF NOT EXISTS xinan_private;
--> statement-breakpoint
REVOKE ALL ON SCHEMA xinan_private FROM PUBLIC;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS xinan_private.secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
REVOKE ALL ON TABLE xinan_private.secrets FROM PUBLIC;
--> statement-breakpoint
DO $$ BEGIN
  REVOKE ALL ON SCHEMA xinan_private FROM xinan_app;
  REVOKE ALL ON TABLE xinan_private.secrets FROM xinan_app;
EXCEPTION WHEN undefined_object THEN NULL;
END $$;
