//! Embeds the fictional sample transcripts, the shipped codebooks and the demo codings in the
//! binary, so `narrata demo` works from any folder and from an installed binary.

use std::fmt::Write;
use std::path::Path;

fn embed(out: &mut String, name: &str, dir: &Path, doc: &str) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    writeln!(
        out,
        "/// {doc}: (file name, bytes).\npub static {name}: &[(&str, &[u8])] = &["
    )
    .unwrap();
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let file = f.file_name().unwrap().to_string_lossy();
        writeln!(
            out,
            "    ({file:?}, include_bytes!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = String::new();
    embed(
        &mut out,
        "SAMPLES",
        &root.join("samples/transcripts"),
        "Fictional sample transcripts",
    );
    embed(
        &mut out,
        "CODEBOOKS",
        &root.join("codebooks"),
        "Shipped codebooks",
    );
    embed(
        &mut out,
        "DEMO_CODINGS",
        &root.join("samples/codings"),
        "Codings of the samples for the demo",
    );
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded.rs");
    std::fs::write(dest, out).unwrap();
}
