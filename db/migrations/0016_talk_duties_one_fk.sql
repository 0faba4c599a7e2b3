ALTER TABLE "talk_duties" DROP CONSTRAINT "talk_duties_school_id_schools_id_fk";
