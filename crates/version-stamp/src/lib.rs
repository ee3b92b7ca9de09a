//! version-stamp (under construction)
