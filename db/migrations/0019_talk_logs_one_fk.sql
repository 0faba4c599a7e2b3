ALTER TABLE "talk_logs" DROP CONSTRAINT "talk_logs_school_id_schools_id_fk";
