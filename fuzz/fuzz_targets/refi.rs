#![no_main]

#[allow(dead_code)]
#[path = "../dispatch.rs"]
mod dispatch;

libfuzzer_sys::fuzz_target!(|data: &[u8]| dispatch::refi(data));
