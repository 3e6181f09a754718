#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| honors_fuzz::compact(data));
