//! tag-gate (under construction)
