//! health-check (under construction)
