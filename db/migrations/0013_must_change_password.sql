-- Accounts whose password someone else chose (a new account, an admin's reset) must change it before
-- anything else works. Existing accounts keep working as they are.
ALTER TABLE "users" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;
