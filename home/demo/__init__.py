"""Demo and synthetic content: the bilingual demo site and large benchmark trees."""
