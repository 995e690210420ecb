#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rampart::fuzz::terraform_module(data));
