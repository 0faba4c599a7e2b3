-- The audit chain (issue 3). canonical = a JSON array of every column but the hashes;
-- row_hash = sha256(prev_hash || canonical). The app role may only SELECT (its own school,
-- through RLS) and call audit_append; UPDATE, DELETE and TRUNCATE are refused to everyone
-- by triggers, so tampering needs a superuser switching triggers off, which verify catches.
CREATE OR REPLACE FUNCTION audit_canonical(a audit_log) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT json_build_array(
    a.seq, to_char(a.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.actor_id, a.actor_roles,
    a.action, a.resource, a.record_ids, a.student_ids, a.field_groups, a.outcome, a.request_id, a.purpose, a.school_id
  )::text
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_append(
  p_actor uuid, p_roles text, p_action text, p_resource text, p_record_ids text[], p_student_ids uuid[],
  p_groups text[], p_outcome text, p_request_id text, p_purpose text, p_school uuid
) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  last_row audit_log;
  r audit_log;
BEGIN
  -- One writer at a time until commit: sequence numbers without gaps, a chain without forks.
  PERFORM pg_advisory_xact_lock(727274100);
  SELECT * INTO last_row FROM audit_log ORDER BY seq DESC LIMIT 1;
  r.seq := coalesce(last_row.seq, 0) + 1;
  r.ts := clock_timestamp();
  r.actor_id := p_actor;
  r.actor_roles := coalesce(p_roles, '');
  r.action := p_action;
  r.resource := p_resource;
  r.record_ids := coalesce(p_record_ids, '{}');
  r.student_ids := coalesce(p_student_ids, '{}');
  r.field_groups := coalesce(p_groups, '{}');
  r.outcome := p_outcome;
  r.request_id := p_request_id;
  r.purpose := p_purpose;
  r.school_id := p_school;
  r.prev_hash := last_row.row_hash;
  r.row_hash := encode(sha256(convert_to(coalesce(r.prev_hash, '') || audit_canonical(r), 'UTF8')), 'hex');
  INSERT INTO audit_log SELECT r.*;
  RETURN r.seq;
END $$;
--> statement-breakpoint
-- First sequence number where the chain breaks (an edit, a deletion, a reorder), or null.
CREATE OR REPLACE FUNCTION audit_verify() RETURNS TABLE(total bigint, first_bad bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH x AS (
    SELECT a.seq, a.prev_hash, a.row_hash,
      lag(a.seq) OVER w AS p_seq, lag(a.row_hash) OVER w AS p_hash,
      encode(sha256(convert_to(coalesce(a.prev_hash, '') || audit_canonical(a), 'UTF8')), 'hex') AS calc
    FROM audit_log a WINDOW w AS (ORDER BY a.seq)
  )
  SELECT count(*)::bigint,
    min(CASE WHEN p_seq IS NULL THEN (CASE WHEN seq <> 1 THEN 1 WHEN prev_hash IS NOT NULL OR calc <> row_hash THEN seq END)
             WHEN seq <> p_seq + 1 THEN p_seq + 1
             WHEN prev_hash IS DISTINCT FROM p_hash OR calc <> row_hash THEN seq END)
  FROM x
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
REVOKE ALL ON audit_log FROM xinan_app;
--> statement-breakpoint
GRANT SELECT ON audit_log TO xinan_app;
--> statement-breakpoint
REVOKE ALL ON FUNCTION audit_append(uuid, text, text, text, text[], uuid[], text[], text, text, text, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION audit_append(uuid, text, text, text, text[], uuid[], text[], text, text, text, uuid) TO xinan_app;
--> statement-breakpoint
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY school_wall ON audit_log FOR SELECT USING (school_id = app_school_id());
