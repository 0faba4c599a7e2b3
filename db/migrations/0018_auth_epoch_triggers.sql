-- users.auth_epoch moves whenever who a user is as an actor changes, so a server that keeps an
-- actor in memory notices on the request's first statement (src/access/transaction.ts): a login
-- ended, the account disabled, its password, school, district, name or must-change flag changed,
-- any of its roles granted, changed or removed. Creating a login does not move it.
CREATE OR REPLACE FUNCTION users_auth_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.status, NEW.password_hash, NEW.school_id, NEW.district_id, NEW.must_change_password, NEW.username, NEW.display_name)
     IS DISTINCT FROM (OLD.status, OLD.password_hash, OLD.school_id, OLD.district_id, OLD.must_change_password, OLD.username, OLD.display_name) THEN
    NEW.auth_epoch := OLD.auth_epoch + 1;
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER users_auth_epoch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_auth_epoch_bump();
--> statement-breakpoint
-- Run as the owner: role changes are made by the non-owner role inside a school's transaction.
CREATE OR REPLACE FUNCTION user_roles_auth_epoch_bump() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id = NEW.user_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id = OLD.user_id;
  ELSE
    UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id IN (OLD.user_id, NEW.user_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER user_roles_auth_epoch AFTER INSERT OR UPDATE OR DELETE ON user_roles FOR EACH ROW EXECUTE FUNCTION user_roles_auth_epoch_bump();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION auth_sessions_auth_epoch_bump() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id = OLD.user_id;
  ELSIF (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL) OR NEW.user_id <> OLD.user_id THEN
    UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id IN (OLD.user_id, NEW.user_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER auth_sessions_auth_epoch AFTER UPDATE OR DELETE ON auth_sessions FOR EACH ROW EXECUTE FUNCTION auth_sessions_auth_epoch_bump();
--> statement-breakpoint
-- The user's epoch when this login is live and the account active, else null. Called in the
-- first statement of a school transaction, after it switched to the non-owner role: run as the
-- owner, so row-level security never hides the caller's own row (district staff have no school).
CREATE OR REPLACE FUNCTION auth_epoch_of(p_session uuid, p_user uuid) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT u.auth_epoch FROM auth_sessions s JOIN users u ON u.id = s.user_id
  WHERE s.id = p_session AND s.user_id = p_user AND s.revoked_at IS NULL AND u.status = 'active'
$$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION auth_epoch_of(uuid, uuid) TO xinan_app;
