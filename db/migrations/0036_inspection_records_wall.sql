-- The inspection records, the self-check and the 整改 loop belong to one school each: the school wall, as on every such table.
SELECT xinan_enable_school_wall();
