//! smoke-test (under construction)
