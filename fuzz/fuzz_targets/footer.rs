#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::footer_and_rows(data));
