SELECT xinan_enable_school_wall();
