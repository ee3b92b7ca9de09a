//! repo (under construction)
