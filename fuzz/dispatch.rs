//! What each fuzz target does with its input, shared by the cargo-fuzz targets and the stable
//! test that replays their corpus (`tests/fuzz.rs`). The first byte of an input chooses the
//! format; the rest is the file. Each reader must read or refuse: a panic is a finding.

/// The transcript formats, by the first byte modulo their number.
pub const TRANSCRIPT_NAMES: [&str; 5] = ["x.txt", "x.md", "x.vtt", "x.srt", "x.docx"];

/// The codebook formats, likewise.
pub const CODEBOOK_FORMATS: [&str; 3] = ["yaml", "json", "qdc"];

pub fn transcript(data: &[u8]) {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let name = TRANSCRIPT_NAMES[usize::from(choice) % TRANSCRIPT_NAMES.len()];
    let source = narrata::import::Source {
        name: name.into(),
        bytes: bytes.to_vec(),
    };
    if let Ok(t) = narrata::import::read(&source) {
        // What is read is consistent: every turn inside the text, in order.
        let chars = t.text.chars().count();
        let mut previous = 0;
        for turn in &t.turns {
            assert!(
                turn.start <= turn.end && turn.end <= chars,
                "a turn outside the text"
            );
            assert!(turn.start >= previous, "turns out of order");
            previous = turn.end;
        }
    }
}

pub fn codebook(data: &[u8]) {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    match CODEBOOK_FORMATS[usize::from(choice) % CODEBOOK_FORMATS.len()] {
        "qdc" => {
            let _ = narrata::codebook::qdc::read(bytes);
        }
        format => {
            let _ = narrata::codebook::file::parse(bytes, format);
        }
    }
}

pub fn refi(data: &[u8]) {
    let _ = narrata::refi::read::read(data);
}
