-- Consent rows are school-bound like every other personal table.
SELECT xinan_enable_school_wall();
--> statement-breakpoint
-- Campaigns created before consent was recorded ran without it: they keep doing so (turning it
-- on would refuse every remaining answer of a screening under way). New campaigns require it.
UPDATE screening_campaigns SET consent_required = false;
