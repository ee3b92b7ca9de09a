//! The `git log -z` record reader: arbitrary bytes never panic, and every
//! record it yields carries a full commit id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use semantic_bump::git::{RecordReader, is_object_id};

fuzz_target!(|data: &[u8]| {
    let mut r = RecordReader::new(data, "log");
    while let Ok(Some(rec)) = r.next_record() {
        assert!(is_object_id(rec.sha));
    }
});
