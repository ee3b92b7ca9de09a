//! probe (under construction)
