//! Word documents with docx-rs: the styles narrata's reports use (Word's own heading styles,
//! so the navigation pane and a table of contents work), small builders, and saving through a
//! temporary file.

use std::path::Path;

use docx_rs::{
    AlignmentType, Docx, LineSpacing, Paragraph, Run, RunFonts, SpecialIndentType, Style, StyleType,
};

use crate::error::{Error, Result};

/// An A4 document (2.5 cm margins) with Title, Heading 1–3, Quote and Caption styles defined.
pub fn styled() -> Docx {
    let space = |before: u32, after: u32| LineSpacing::new().before(before).after(after);
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            docx_rs::PageMargin::new()
                .top(1418)
                .bottom(1418)
                .left(1418)
                .right(1418)
                .header(709)
                .footer(709),
        )
        .default_fonts(
            RunFonts::new()
                .ascii("Calibri")
                .hi_ansi("Calibri")
                .cs("Calibri"),
        )
        .default_size(22)
        .default_line_spacing(space(0, 120))
        .add_style(
            Style::new("TOCHeading", StyleType::Paragraph)
                .name("TOC Heading")
                .size(32)
                .bold(),
        )
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(44)
                .bold(),
        )
        .add_style(
            Style::new("Subtitle", StyleType::Paragraph)
                .name("Subtitle")
                .size(28)
                .italic(),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .size(32)
                .bold()
                .line_spacing(space(360, 120))
                .outline_lvl(0),
        )
        .add_style(
            Style::new("Heading2", StyleType::Paragraph)
                .name("heading 2")
                .size(26)
                .bold()
                .line_spacing(space(240, 120))
                .outline_lvl(1),
        )
        .add_style(
            Style::new("Heading3", StyleType::Paragraph)
                .name("heading 3")
                .size(23)
                .bold()
                .italic()
                .line_spacing(space(200, 80))
                .outline_lvl(2),
        )
        .add_style(
            Style::new("Quote", StyleType::Paragraph)
                .name("Quote")
                .italic()
                .indent(Some(720), None, Some(720), None),
        )
        .add_style(
            Style::new("LineNumber", StyleType::Character)
                .name("line number")
                .size(16)
                .color("808080"),
        )
        .add_style(Style::new("TOC1", StyleType::Paragraph).name("toc 1"))
        .add_style(
            Style::new("TOC2", StyleType::Paragraph)
                .name("toc 2")
                .indent(Some(300), None, None, None),
        )
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("caption")
                .size(18)
                .italic(),
        )
}

pub use crate::xml::safe as xml_safe;

pub fn text(s: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(xml_safe(s)))
}

pub fn heading(s: &str, level: usize) -> Paragraph {
    text(s).style(match level {
        1 => "Heading1",
        2 => "Heading2",
        _ => "Heading3",
    })
}

/// Width of the text on a page of narrata's reports (A4, 2.5 cm margins), in inches.
pub const TEXT_WIDTH_INCHES: f64 = super::table::TEXT_WIDTH as f64 / 1440.0;

/// A chart as an inline picture in its own centred paragraph, at its drawn size or shrunk to
/// the text width, followed by its caption (which says in words what the chart shows).
pub fn picture(chart: &crate::chart::Picture, caption: &str) -> Vec<Paragraph> {
    const EMU_PER_INCH: f64 = 914_400.0;
    let (w, h) = chart.inches(TEXT_WIDTH_INCHES);
    let pic = docx_rs::Pic::new_with_dimensions(chart.png.clone(), chart.width, chart.height)
        .size((w * EMU_PER_INCH) as u32, (h * EMU_PER_INCH) as u32);
    vec![
        centred(Paragraph::new().add_run(Run::new().add_image(pic))).keep_next(true),
        text(caption).style("Caption"),
    ]
}

/// Several pictures of one chart (split to fit pages), each with the caption and, when there
/// is more than one, "(part i of n)".
pub fn pictures(charts: &[crate::chart::Picture], caption: &str) -> Vec<Paragraph> {
    let n = charts.len();
    charts
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            let caption = if n > 1 {
                format!("{caption} (part {} of {n})", i + 1)
            } else {
                caption.to_owned()
            };
            picture(c, &caption)
        })
        .collect()
}

/// A paragraph with a bold label and text after it.
pub fn labelled(label: &str, value: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(format!("{label}: ")).bold())
        .add_run(Run::new().add_text(xml_safe(value)))
}

/// "Made: 2026-12-05 with narrata 0.x" in the report's language.
pub fn made_in(w: &super::language::Words) -> Paragraph {
    labelled(
        w.made,
        &super::language::fill(
            w.made_value,
            &[
                ("date", &chrono::Utc::now().format("%Y-%m-%d").to_string()),
                ("version", env!("CARGO_PKG_VERSION")),
            ],
        ),
    )
}

/// A table of contents with its entries written (headings of level 1 and 2), inside a TOC
/// field that Word refreshes with page numbers (F9) and LibreOffice with Update All; a reader
/// that updates no fields still shows the entries. A note on page numbers follows.
pub fn contents(headings: &[(String, usize)], w: &super::language::Words) -> Vec<Paragraph> {
    use docx_rs::{FieldCharType, InstrText, InstrToC};
    let entries: Vec<&(String, usize)> = headings.iter().filter(|(_, l)| *l <= 2).collect();
    let n = entries.len();
    let mut out = Vec::new();
    for (i, (title, level)) in entries.into_iter().enumerate() {
        let mut p = Paragraph::new().style(if *level == 1 { "TOC1" } else { "TOC2" });
        if i == 0 {
            p = p
                .add_run(Run::new().add_field_char(FieldCharType::Begin, false))
                .add_run(Run::new().add_instr_text(InstrText::TOC(
                    InstrToC::new().heading_styles_range(1, 2).hyperlink(),
                )))
                .add_run(Run::new().add_field_char(FieldCharType::Separate, false));
        }
        p = p.add_run(Run::new().add_text(xml_safe(title)));
        if i + 1 == n {
            p = p.add_run(Run::new().add_field_char(FieldCharType::End, false));
        }
        out.push(p);
    }
    out.push(text(w.toc_note).style("Caption"));
    out
}

/// A centred paragraph.
pub fn centred(p: Paragraph) -> Paragraph {
    p.align(AlignmentType::Center)
}

/// A hanging indent, for numbered transcript lines.
pub fn hanging(p: Paragraph, twips: i32) -> Paragraph {
    p.indent(
        Some(twips),
        Some(SpecialIndentType::Hanging(twips)),
        None,
        None,
    )
}

/// Writes the document through a temporary file in the target's folder, renamed into place
/// when complete: an interrupted export never leaves a broken file at the target.
pub fn save(doc: Docx, path: &Path) -> Result<()> {
    let failed = |e: String| Error::Invalid(format!("the Word document could not be written: {e}"));
    let mut packed = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut packed)
        .map_err(|e| failed(e.to_string()))?;
    let bytes = mark_normal_default(packed.into_inner()).map_err(failed)?;
    super::write_atomically(path, |file| {
        std::io::Write::write_all(file, &bytes).map_err(|e| Error::io(path, e))
    })
}

/// docx-rs defines the Normal style without marking it the default paragraph style; Word
/// copes, but LibreOffice and python-docx then see paragraphs without a style. The package is
/// copied entry by entry with `w:default="1"` added to Normal, and header rows marked to
/// repeat (docx-rs cannot say so).
fn mark_normal_default(docx: Vec<u8>) -> std::result::Result<Vec<u8>, String> {
    use std::io::{Read, Write};
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(docx)).map_err(|e| e.to_string())?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().to_owned();
        if name == "word/styles.xml" || name == "word/document.xml" {
            let mut xml = String::new();
            entry.read_to_string(&mut xml).map_err(|e| e.to_string())?;
            let xml = if name == "word/styles.xml" {
                xml.replacen(
                    r#"<w:style w:type="paragraph" w:styleId="Normal">"#,
                    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#,
                    1,
                )
            } else {
                // Header rows (the only rows narrata marks cantSplit) repeat on every page.
                xml.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />")
            };
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            out.start_file(entry.name(), options)
                .map_err(|e| e.to_string())?;
            out.write_all(xml.as_bytes()).map_err(|e| e.to_string())?;
        } else {
            drop(entry);
            let entry = archive.by_index_raw(i).map_err(|e| e.to_string())?;
            out.raw_copy_file(entry).map_err(|e| e.to_string())?;
        }
    }
    Ok(out.finish().map_err(|e| e.to_string())?.into_inner())
}
