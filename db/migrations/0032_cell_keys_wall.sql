-- The stored cell keys belong to one school each: the school wall, as on every such table
-- (the app role reads none of them; the owner's release and triggers pass the wall).
SELECT xinan_enable_school_wall();
