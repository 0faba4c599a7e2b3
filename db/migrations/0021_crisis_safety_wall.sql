-- Safety assessments and disclosures are school-bound like every other personal table.
SELECT xinan_enable_school_wall();
