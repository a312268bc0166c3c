//! The `narrata` binary: hands over to the command-line interface in the library.
//!
//! The process allocates through mimalloc rather than the C library's allocator: glibc keeps
//! memory a phase has freed (per-thread arenas, compressor states of a many-entry archive), so
//! an import's index phase or a `.qdpx` of many sources peaked far above what was in use
//! (docs/PERFORMANCE.md, "The allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(narrata::cli::main());
}
