-- Audit rows that must not date or join an anonymous act (a letter written, a reply read,
-- the letter side of a letter turned into a crisis): the same chain, canonical form and hash
-- as audit_append, but the time is the start of the day in the schools' zone and there is no
-- request id or purpose, so the row cannot be matched to a log line, a proxy's access log or
-- another row of the same request. audit_verify needs no change: it hashes what is stored.
CREATE OR REPLACE FUNCTION audit_append_day(
  p_actor uuid, p_roles text, p_action text, p_resource text, p_record_ids text[], p_student_ids uuid[],
  p_groups text[], p_outcome text, p_school uuid
) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  last_row audit_log;
  r audit_log;
BEGIN
  PERFORM pg_advisory_xact_lock(727274100);
  SELECT * INTO last_row FROM audit_log ORDER BY seq DESC LIMIT 1;
  r.seq := coalesce(last_row.seq, 0) + 1;
  r.ts := date_trunc('day', clock_timestamp(), 'Asia/Shanghai');
  r.actor_id := p_actor;
  r.actor_roles := coalesce(p_roles, '');
  r.action := p_action;
  r.resource := p_resource;
  r.record_ids := coalesce(p_record_ids, '{}');
  r.student_ids := coalesce(p_student_ids, '{}');
  r.field_groups := coalesce(p_groups, '{}');
  r.outcome := p_outcome;
  r.request_id := NULL;
  r.purpose := NULL;
  r.school_id := p_school;
  r.prev_hash := last_row.row_hash;
  r.row_hash := encode(sha256(convert_to(coalesce(r.prev_hash, '') || audit_canonical(r), 'UTF8')), 'hex');
  INSERT INTO audit_log SELECT r.*;
  RETURN r.seq;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION audit_append_day(uuid, text, text, text, text[], uuid[], text[], text, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION audit_append_day(uuid, text, text, text, text[], uuid[], text[], text, uuid) TO xinan_app;
