-- A school's own wording of the safety form belongs to that school: the school wall, as on every such table.
SELECT xinan_enable_school_wall();
