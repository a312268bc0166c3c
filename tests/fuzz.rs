//! Fuzzing of every reader of outside files, in process with proptest: valid files (the
//! samples, the fixtures, the shipped codebooks, a REFI-QDA project exported by narrata) are
//! mutated (bytes flipped, cut short, spliced with garbage or with themselves) and each reader
//! must answer with a transcript or a refusal, never a panic. Failing inputs proptest finds
//! are kept in `proptest-regressions/fuzz.txt` and replayed first by every run, in CI too.
//! `FUZZ_CASES=100000 cargo test --release --test fuzz` runs longer (docs/RELIABILITY.md).
//! The corpus the coverage-guided fuzzer (cargo-fuzz, `fuzz/`) kept is replayed here too.

mod common;

#[allow(dead_code)]
#[path = "../fuzz/dispatch.rs"]
mod dispatch;

use common::*;
use std::sync::OnceLock;

use proptest::prelude::*;

/// Ways to damage a valid file.
#[derive(Debug, Clone)]
enum Damage {
    Flip { at: usize, byte: u8 },
    CutAt(usize),
    Insert { at: usize, bytes: Vec<u8> },
    Repeat { from: usize, len: usize, at: usize },
}

fn damage() -> impl Strategy<Value = Vec<Damage>> {
    let one =
        prop_oneof![
            (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Damage::Flip { at, byte }),
            any::<usize>().prop_map(Damage::CutAt),
            (
                any::<usize>(),
                proptest::collection::vec(any::<u8>(), 1..64)
            )
                .prop_map(|(at, bytes)| Damage::Insert { at, bytes }),
            (any::<usize>(), 1usize..4096, any::<usize>())
                .prop_map(|(from, len, at)| Damage::Repeat { from, len, at }),
        ];
    proptest::collection::vec(one, 1..8)
}

fn apply(mut bytes: Vec<u8>, damage: &[Damage]) -> Vec<u8> {
    for d in damage {
        let n = bytes.len().max(1);
        match d {
            Damage::Flip { at, byte } => {
                if !bytes.is_empty() {
                    bytes[at % n] ^= byte | 1;
                }
            }
            Damage::CutAt(at) => bytes.truncate(at % n),
            Damage::Insert { at, bytes: b } => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Damage::Repeat { from, len, at } => {
                if !bytes.is_empty() {
                    let from = from % bytes.len();
                    let end = (from + len).min(bytes.len());
                    let piece = bytes[from..end].to_vec();
                    let at = at % (bytes.len() + 1);
                    bytes.splice(at..at, piece);
                }
            }
        }
    }
    bytes
}

/// The valid files the damage starts from: (file name, contents).
fn seeds() -> &'static Vec<(String, Vec<u8>)> {
    static SEEDS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut out = Vec::new();
        for name in ["P01_T1.md", "G01_T1.md"] {
            out.push((name.into(), std::fs::read(samples().join(name)).unwrap()));
        }
        for name in ["P09_T1.docx", "P10-w3.srt", "P10_T2.vtt"] {
            out.push((name.into(), std::fs::read(fixtures().join(name)).unwrap()));
        }
        out
    })
}

fn codebook_seeds() -> &'static Vec<(String, Vec<u8>)> {
    static SEEDS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let yaml = std::fs::read(codebooks().join("chime-herstel.nl.yaml")).unwrap();
        let file = narrata::codebook::file::parse(&yaml, "yaml").unwrap();
        let json = serde_json::to_vec_pretty(&file).unwrap();
        let qdc = narrata::codebook::qdc::write(&file).into_bytes();
        vec![
            ("yaml".into(), yaml),
            ("json".into(), json),
            ("qdc".into(), qdc),
        ]
    })
}

/// A REFI-QDA project written by narrata from the samples, coded.
fn qdpx_seed() -> &'static Vec<u8> {
    static SEED: OnceLock<Vec<u8>> = OnceLock::new();
    SEED.get_or_init(|| {
        let (tmp, dir) = project();
        import_samples(&dir);
        run_ok(&dir, &["codebook", "add", "Hoop"]);
        run_ok(&dir, &["code", "auto", "hoop", "Hoop"]);
        let out = tmp.path().join("p.qdpx");
        run_ok(&dir, &["export", "qdpx", out.to_str().unwrap()]);
        std::fs::read(out).unwrap()
    })
}

/// A zip archive with one member's contents damaged, re-packed so the archive itself is
/// valid: the damage reaches the XML reader instead of stopping at the zip's checksums.
fn damage_member(archive: &[u8], member: &str, d: &[Damage]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().to_owned();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == member {
            bytes = apply(bytes, d);
        }
        out.start_file(name, options).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// 256 cases per reader, or as many as `FUZZ_CASES` says.
fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Every input cargo-fuzz kept (the seeds, each input that reached new code, and any input
/// that once failed) is read again on stable, as the fuzz targets read it.
#[test]
fn the_corpus_kept_by_the_coverage_guided_fuzzer_reads_or_is_refused() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    type Target = fn(&[u8]);
    let targets: [(&str, Target); 3] = [
        ("transcript", dispatch::transcript),
        ("codebook", dispatch::codebook),
        ("refi", dispatch::refi),
    ];
    for (target, run) in targets {
        let mut files: Vec<_> = std::fs::read_dir(root.join(target))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no corpus for {target}");
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            assert!(outcome.is_ok(), "{target}: {} panicked", f.display());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn transcript_readers_refuse_or_read_damaged_files(which in 0usize..5, d in damage()) {
        let (name, bytes) = &seeds()[which];
        let source = narrata::import::Source { name: name.clone(), bytes: apply(bytes.clone(), &d) };
        // Ok or a refusal; a panic fails the test.
        if let Ok(t) = narrata::import::read(&source) {
            // What is read is consistent: every turn inside the text, in order.
            let chars = t.text.chars().count();
            let mut previous = 0;
            for turn in &t.turns {
                prop_assert!(turn.start <= turn.end && turn.end <= chars);
                prop_assert!(turn.start >= previous);
                previous = turn.end;
            }
        }
    }

    #[test]
    fn text_readers_take_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096), ext in 0usize..4) {
        let name = ["x.txt", "x.md", "x.vtt", "x.srt"][ext];
        let _ = narrata::import::read(&narrata::import::Source { name: name.into(), bytes });
    }

    #[test]
    fn codebook_readers_refuse_or_read_damaged_files(which in 0usize..3, d in damage()) {
        let (ext, bytes) = &codebook_seeds()[which];
        let damaged = apply(bytes.clone(), &d);
        if ext == "qdc" {
            let _ = narrata::codebook::qdc::read(&damaged);
        } else {
            let _ = narrata::codebook::file::parse(&damaged, ext);
        }
    }

    #[test]
    fn the_refi_qda_reader_refuses_or_reads_damaged_projects(d in damage()) {
        let _ = narrata::refi::read::read(&apply(qdpx_seed().clone(), &d));
    }

    #[test]
    fn the_word_reader_refuses_or_reads_damaged_document_xml(d in damage()) {
        let docx = &seeds()[2].1;
        let source = narrata::import::Source {
            name: "P09_T1.docx".into(),
            bytes: damage_member(docx, "word/document.xml", &d),
        };
        let _ = narrata::import::read(&source);
    }

    #[test]
    fn the_refi_qda_reader_refuses_or_reads_a_damaged_project_xml(d in damage()) {
        let _ = narrata::refi::read::read(&damage_member(qdpx_seed(), "project.qde", &d));
    }
}
