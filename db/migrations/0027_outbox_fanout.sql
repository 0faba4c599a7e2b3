-- Every notification fans out to the outbox in the transaction that writes it: services through
-- notify(), the jobs' INSERT … SELECT statements and any writer added later are all covered,
-- and a rolled-back notification leaves no message behind. A statement-level trigger with a
-- transition table: one INSERT of many notifications (an escalation, a reminder job) costs two
-- statements here, not two per row.
--
-- Fan-out:
--  * the recipient's own channels (e-mail, SMS) when the teacher switched them on, gave an
--    address, and the school's channel of that kind is set up and enabled — for every kind;
--  * the school's group robots (企业微信, 钉钉), when enabled, for urgent kinds only: crisis_*
--    and alert_* (any kind so named later included), one message per event (kind and record),
--    not one per recipient.
-- The deadline is the notification's params.deadline when it carries one, else the
-- acknowledgement deadline of the crisis or alert it names. Nothing else of params is copied.
-- SECURITY DEFINER: the writer is the app's non-owner role, which has no business reading
-- other teachers' channel settings or the outbox.
CREATE OR REPLACE FUNCTION outbox_deadline(p_kind text, p_ref uuid, p_school uuid, p_params jsonb) RETURNS timestamptz
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  d timestamptz;
BEGIN
  IF p_params IS NOT NULL AND jsonb_typeof(p_params -> 'deadline') = 'string'
     AND (p_params ->> 'deadline') ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}' THEN
    BEGIN
      RETURN (p_params ->> 'deadline')::timestamptz;
    EXCEPTION WHEN others THEN
      NULL;
    END;
  END IF;
  IF p_ref IS NULL THEN RETURN NULL; END IF;
  IF p_kind LIKE 'crisis\_%' THEN
    SELECT ack_deadline INTO d FROM crisis_events WHERE school_id = p_school AND id = p_ref;
  ELSIF p_kind LIKE 'alert\_%' THEN
    SELECT ack_deadline INTO d FROM peer_alerts WHERE school_id = p_school AND id = p_ref;
  END IF;
  RETURN d;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION notifications_outbox() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO outbox_messages (school_id, notification_id, recipient_user_id, channel, kind, ref_id, deadline)
  SELECT n.school_id, n.id, n.user_id, c.channel, n.kind, n.ref_id, outbox_deadline(n.kind, n.ref_id, n.school_id, n.params)
  FROM new_rows n
  JOIN user_channels uc ON uc.school_id = n.school_id AND uc.user_id = n.user_id
  CROSS JOIN LATERAL (VALUES
    ('email', uc.email_enabled AND coalesce(uc.email, '') <> ''),
    ('sms', uc.sms_enabled AND coalesce(uc.mobile, '') <> '')
  ) AS c(channel, wanted)
  JOIN school_channels sc ON sc.school_id = n.school_id AND sc.kind = c.channel AND sc.enabled
  WHERE c.wanted;

  INSERT INTO outbox_messages (school_id, recipient_user_id, channel, kind, ref_id, deadline)
  SELECT e.school_id, NULL, sc.kind, e.kind, e.ref_id, outbox_deadline(e.kind, e.ref_id, e.school_id, e.params)
  FROM (
    -- One event per school, kind and record. Admins' copies carry no record id (they read no
    -- case content): they count as the same event unless the statement named no record at all.
    SELECT DISTINCT ON (u.school_id, u.kind, u.ref_id) u.school_id, u.kind, u.ref_id, u.params
    FROM new_rows u
    WHERE (u.kind LIKE 'crisis\_%' OR u.kind LIKE 'alert\_%')
      AND (u.ref_id IS NOT NULL OR NOT EXISTS (
        SELECT 1 FROM new_rows r WHERE r.school_id = u.school_id AND r.kind = u.kind AND r.ref_id IS NOT NULL))
    ORDER BY u.school_id, u.kind, u.ref_id, u.created_at
  ) e
  JOIN school_channels sc ON sc.school_id = e.school_id AND sc.kind IN ('wecom', 'dingtalk') AND sc.enabled;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER notifications_outbox AFTER INSERT ON notifications
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notifications_outbox();
--> statement-breakpoint
SELECT xinan_enable_school_wall();
