-- Group commit for audited reads (issue 9): many requests' rows appended under one lock and
-- made durable by one commit. Same chain, same canonical form, same hash as audit_append;
-- each element of `events` is an object with the audit_append argument names (without p_).
CREATE OR REPLACE FUNCTION audit_append_batch(events jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  last_row audit_log;
  r audit_log;
  e jsonb;
  prev_seq bigint;
  prev_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(727274100);
  SELECT * INTO last_row FROM audit_log ORDER BY seq DESC LIMIT 1;
  prev_seq := coalesce(last_row.seq, 0);
  prev_hash := last_row.row_hash;
  FOR e IN SELECT * FROM jsonb_array_elements(events) LOOP
    r.seq := prev_seq + 1;
    r.ts := clock_timestamp();
    r.actor_id := nullif(e->>'actor', '')::uuid;
    r.actor_roles := coalesce(e->>'roles', '');
    r.action := e->>'action';
    r.resource := e->>'resource';
    r.record_ids := coalesce(ARRAY(SELECT jsonb_array_elements_text(e->'recordIds')), '{}');
    r.student_ids := coalesce(ARRAY(SELECT jsonb_array_elements_text(e->'studentIds'))::uuid[], '{}');
    r.field_groups := coalesce(ARRAY(SELECT jsonb_array_elements_text(e->'fieldGroups')), '{}');
    r.outcome := e->>'outcome';
    r.request_id := e->>'requestId';
    r.purpose := e->>'purpose';
    r.school_id := nullif(e->>'school', '')::uuid;
    r.prev_hash := prev_hash;
    r.row_hash := encode(sha256(convert_to(coalesce(r.prev_hash, '') || audit_canonical(r), 'UTF8')), 'hex');
    INSERT INTO audit_log SELECT r.*;
    prev_seq := r.seq;
    prev_hash := r.row_hash;
  END LOOP;
  RETURN prev_seq;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION audit_append_batch(jsonb) FROM PUBLIC;
