//! semantic-bump (under construction)
