//! The `narrata` binary: hands over to the command-line interface in the library.

fn main() {
    std::process::exit(narrata::cli::main());
}
