//! Word documents with docx-rs: the styles narrata's reports use (Word's own heading styles,
//! so the navigation pane and a table of contents work), small builders, and saving through a
//! temporary file, with a long report's body (and the pictures it places) streamed into the
//! file instead of built whole.
//!
//! About 160 of its lines are its tests; saving and streaming are kept together because the
//! stream is spliced into the package the same save writes.

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
    picture_as(chart, None, caption)
}

/// [`picture`], the picture given relationship id `id` when its file is put into the package
/// by narrata rather than by docx-rs (see [`Charts`]).
fn picture_as(chart: &crate::chart::Picture, id: Option<&str>, caption: &str) -> Vec<Paragraph> {
    const EMU_PER_INCH: f64 = 914_400.0;
    let (w, h) = chart.inches(TEXT_WIDTH_INCHES);
    let mut pic = docx_rs::Pic::new_with_dimensions(chart.png.clone(), chart.width, chart.height)
        .size((w * EMU_PER_INCH) as u32, (h * EMU_PER_INCH) as u32);
    if let Some(id) = id {
        pic = pic.id(id);
    }
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
        .flat_map(|(i, c)| picture(c, &part_caption(caption, i, n)))
        .collect()
}

/// A caption of part `i` (from 0) of a chart drawn in `n` parts.
fn part_caption(caption: &str, i: usize, n: usize) -> String {
    if n > 1 {
        format!("{caption} (part {} of {n})", i + 1)
    } else {
        caption.to_owned()
    }
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
    save_streamed(doc, path, |_| Ok(()))
}

/// Charts for a streamed body, in `count` numbered groups (a group is one chart, drawn in one
/// or more parts). [`save_streamed_with_charts`] calls `draw` for each group in turn and writes
/// its pictures' files into the package before the body, keeping only their sizes, so a report
/// of many charts holds one chart's pictures at a time; the body places group `k` with
/// [`BodyWriter::add_charts`].
pub struct Charts<'a> {
    pub count: usize,
    pub draw: &'a mut dyn FnMut(usize) -> Result<Vec<crate::chart::Picture>>,
}

/// A picture whose file is already in the package: its relationship id and its size (its PNG
/// written and dropped).
struct Placed {
    id: String,
    size: crate::chart::Picture,
}

/// Text no report contains, marking the paragraph a streamed body replaces: random for each
/// process, so that no project name, query or memo can imitate it.
fn body_mark_text() -> &'static str {
    static MARK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MARK.get_or_init(|| format!("narrata-streamed-body-{}", uuid::Uuid::new_v4().simple()))
}

/// The paragraph that marks where [`save_streamed`] writes the streamed body: put it into the
/// document once, where the body belongs.
pub fn body_mark() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(body_mark_text()))
}

/// The first paragraph id a streamed body gives. docx-rs numbers the paragraphs of each
/// document it builds from 1 (`w14:paraId`, which must be unique and below 0x80000000); the
/// body's paragraphs are made after that build, so they are numbered from here instead.
const FIRST_BODY_PARA_ID: u32 = 0x4000_0000;

/// Where a streamed body is written: each paragraph or table goes to the compressed file as it
/// comes, so a report of any length needs the memory of one of them, not of the whole document.
pub struct BodyWriter<'a> {
    out: &'a mut dyn std::io::Write,
    path: &'a Path,
    next_id: u32,
    /// The pictures of each group of [`Charts`], by the group's number.
    charts: Vec<Vec<Placed>>,
}

impl BodyWriter<'_> {
    /// Writes one paragraph (docx-rs makes its XML, the same as inside a whole document, and
    /// it is given the body's next paragraph id).
    pub fn add(&mut self, p: &Paragraph) -> Result<()> {
        use docx_rs::BuildXML;
        self.add_built(p.build())
    }

    /// Writes one table, its paragraphs given the body's next ids.
    pub fn add_table(&mut self, t: &docx_rs::Table) -> Result<()> {
        use docx_rs::BuildXML;
        self.add_built(t.build())
    }

    /// Writes XML docx-rs built.
    fn add_built(&mut self, built: Vec<u8>) -> Result<()> {
        let xml = String::from_utf8(built)
            .map_err(|e| Error::Internal(format!("docx-rs wrote XML that is not UTF-8: {e}")))?;
        // Every paragraph id (a table holds many) renumbered from the body's next.
        const ID: &str = "w14:paraId=\"";
        let mut renumbered = String::with_capacity(xml.len());
        let mut rest = xml.as_str();
        while let Some(at) = rest.find(ID).map(|i| i + ID.len()) {
            let Some(len) = rest[at..].find('"') else {
                break;
            };
            renumbered.push_str(&rest[..at]);
            renumbered.push_str(&format!("{:08x}", self.next_id));
            self.next_id += 1;
            rest = &rest[at + len..];
        }
        renumbered.push_str(rest);
        // Header rows repeat on every page, as in the skeleton (see `copy_entries`).
        let renumbered = renumbered.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />");
        self.out
            .write_all(renumbered.as_bytes())
            .map_err(|e| Error::io(self.path, e))
    }

    /// Writes paragraphs in order.
    pub fn add_all(&mut self, ps: &[Paragraph]) -> Result<()> {
        ps.iter().try_for_each(|p| self.add(p))
    }

    /// Writes group `k` of the [`Charts`] here, each part with `caption` below it (and "part i
    /// of n" when the chart has several).
    pub fn add_charts(&mut self, k: usize, caption: &str) -> Result<()> {
        let group = self
            .charts
            .get(k)
            .ok_or_else(|| Error::Internal(format!("no chart was drawn as number {k}")))?;
        let n = group.len();
        let paragraphs: Vec<Paragraph> = group
            .iter()
            .enumerate()
            .flat_map(|(i, p)| picture_as(&p.size, Some(&p.id), &part_caption(caption, i, n)))
            .collect();
        self.add_all(&paragraphs)
    }
}

/// Writes `doc` as [`save`] does, with the paragraph [`body_mark`] replaced by what `body`
/// writes. docx-rs builds everything else (styles, the title page, pictures, appendices) in
/// memory as usual; only the body is streamed. A document without the mark is written as it is
/// and `body` is not called.
pub fn save_streamed(
    doc: Docx,
    path: &Path,
    body: impl FnOnce(&mut BodyWriter) -> Result<()>,
) -> Result<()> {
    let mut none = |_| Ok(Vec::new());
    let charts = Charts {
        count: 0,
        draw: &mut none,
    };
    save_streamed_with_charts(doc, path, charts, body)
}

/// [`save_streamed`], with `charts` drawn into the package for the body to place.
pub fn save_streamed_with_charts(
    doc: Docx,
    path: &Path,
    mut charts: Charts,
    body: impl FnOnce(&mut BodyWriter) -> Result<()>,
) -> Result<()> {
    let failed = |e: String| Error::Invalid(format!("the Word document could not be written: {e}"));
    let mut packed = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut packed)
        .map_err(|e| failed(e.to_string()))?;
    let skeleton = packed.into_inner();
    let mut body = Some(body);
    super::write_atomically(path, |file| {
        write_package(
            &skeleton,
            file,
            path,
            &mut charts,
            &mut |out, charts| match body.take() {
                Some(f) => f(&mut BodyWriter {
                    out,
                    path,
                    next_id: FIRST_BODY_PARA_ID,
                    charts,
                }),
                None => Ok(()),
            },
        )
    })
}

/// Copies the package docx-rs made entry by entry into `file`, with three repairs: docx-rs
/// defines the Normal style without marking it the default paragraph style (Word copes, but
/// LibreOffice and python-docx then see paragraphs without a style), so `w:default="1"` is
/// added; header rows (the only rows narrata marks cantSplit) are marked to repeat on every
/// page, which docx-rs cannot say; and the body mark is replaced by the streamed body. The
/// charts' files go in before the document's relationships, which name them.
fn write_package(
    skeleton: &[u8],
    file: &mut std::io::BufWriter<std::fs::File>,
    path: &Path,
    charts: &mut Charts,
    body: &mut WriteBody,
) -> Result<()> {
    crate::files::write_zip(file, path, "the Word document", |out| {
        copy_entries(skeleton, out, path, charts, body)
    })
}

/// Draws each group of `charts` and writes its pictures' files into the package, returning
/// their relationships (to go into the document's) and what the body needs to place them.
fn write_charts(
    charts: &mut Charts,
    out: &mut zip::ZipWriter<crate::files::ZipTarget>,
    path: &Path,
) -> Result<(String, Vec<Vec<Placed>>)> {
    use std::io::Write;
    const IMAGE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";
    // PNG is compressed already.
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut relationships = String::new();
    let mut placed = Vec::with_capacity(charts.count);
    for k in 0..charts.count {
        let mut group = Vec::new();
        for (i, mut picture) in (charts.draw)(k)?.into_iter().enumerate() {
            let name = format!("narrata-chart-{k}-{i}.png");
            let id = format!("rIdNarrataChart{k}x{i}");
            out.start_file(format!("word/media/{name}"), stored)
                .map_err(|e| crate::files::zip_error(path, "the Word document", e))?;
            out.write_all(&picture.png)
                .map_err(|e| Error::io(path, e))?;
            picture.png = Vec::new();
            relationships.push_str(&format!(
                r#"<Relationship Id="{id}" Type="{IMAGE}" Target="media/{name}" />"#
            ));
            group.push(Placed { id, size: picture });
        }
        placed.push(group);
    }
    Ok((relationships, placed))
}

/// Writes the streamed body into `document.xml`, given the charts it may place.
type WriteBody<'a> = dyn FnMut(&mut dyn std::io::Write, Vec<Vec<Placed>>) -> Result<()> + 'a;

fn copy_entries(
    skeleton: &[u8],
    out: &mut zip::ZipWriter<crate::files::ZipTarget>,
    path: &Path,
    charts: &mut Charts,
    body: &mut WriteBody,
) -> Result<()> {
    use std::io::{Read, Write};
    let failed = |e: zip::result::ZipError| crate::files::zip_error(path, "the Word document", e);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(skeleton)).map_err(failed)?;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);

    let mut placed = None;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(failed)?;
        let name = entry.name().to_owned();
        if name == "word/_rels/document.xml.rels" {
            let mut xml = String::new();
            entry
                .read_to_string(&mut xml)
                .map_err(|e| Error::io(path, e))?;
            drop(entry);
            let (relationships, charts) = write_charts(charts, out, path)?;
            placed = Some(charts);
            let xml = xml.replacen(
                "</Relationships>",
                &format!("{relationships}</Relationships>"),
                1,
            );
            out.start_file(name.as_str(), options).map_err(failed)?;
            out.write_all(xml.as_bytes())
                .map_err(|e| Error::io(path, e))?;
        } else if name == "word/styles.xml" || name == "word/document.xml" {
            let mut xml = String::new();
            entry
                .read_to_string(&mut xml)
                .map_err(|e| Error::io(path, e))?;
            out.start_file(name.as_str(), options).map_err(failed)?;
            if name == "word/styles.xml" {
                let xml = xml.replacen(
                    r#"<w:style w:type="paragraph" w:styleId="Normal">"#,
                    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#,
                    1,
                );
                out.write_all(xml.as_bytes())
                    .map_err(|e| Error::io(path, e))?;
                continue;
            }
            let xml = xml.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />");
            match mark_paragraph(&xml) {
                Some((before, after)) => {
                    let charts = match placed.take() {
                        Some(charts) => charts,
                        None if charts.count == 0 => Vec::new(),
                        None => {
                            return Err(Error::Internal(
                                "the document's relationships come after the document".into(),
                            ));
                        }
                    };
                    out.write_all(before.as_bytes())
                        .map_err(|e| Error::io(path, e))?;
                    body(out, charts)?;
                    out.write_all(after.as_bytes())
                        .map_err(|e| Error::io(path, e))?;
                }
                None => out
                    .write_all(xml.as_bytes())
                    .map_err(|e| Error::io(path, e))?,
            }
        } else {
            drop(entry);
            let entry = archive.by_index_raw(i).map_err(failed)?;
            out.raw_copy_file(entry).map_err(failed)?;
        }
    }
    Ok(())
}

/// The document's XML before and after the paragraph holding the body mark.
fn mark_paragraph(xml: &str) -> Option<(&str, &str)> {
    let (start, end) = paragraph_of(xml, body_mark_text())?;
    Some((&xml[..start], &xml[end..]))
}

/// Where the paragraph holding `text` starts and ends.
fn paragraph_of(xml: &str, text: &str) -> Option<(usize, usize)> {
    let at = xml.find(text)?;
    let start = [xml[..at].rfind("<w:p "), xml[..at].rfind("<w:p>")]
        .into_iter()
        .flatten()
        .max()?;
    let end = at + xml[at..].find("</w:p>")? + "</w:p>".len();
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of one entry of a written package.
    fn entry(path: &Path, name: &str) -> String {
        use std::io::Read;
        let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn a_streamed_body_takes_the_marks_place_and_the_mark_is_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("report.docx");
        let doc = styled()
            .add_paragraph(text("before"))
            .add_paragraph(body_mark())
            .add_paragraph(text("after"));
        save_streamed(doc, &path, |out| {
            out.add(&text("first of the body"))?;
            out.add_all(&[heading("second", 1), text("third")])
        })
        .unwrap();
        let xml = entry(&path, "word/document.xml");
        let at = |s: &str| xml.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(at("before") < at("first of the body"));
        assert!(at("first of the body") < at("second") && at("second") < at("third"));
        assert!(at("third") < at("after"));
        assert!(!xml.contains(body_mark_text()));
        assert_eq!(xml.matches("<w:p ").count(), 5, "{xml}");
        // Every paragraph keeps an id of its own.
        let ids: std::collections::HashSet<&str> = xml
            .split("w14:paraId=\"")
            .skip(1)
            .map(|rest| &rest[..8])
            .collect();
        assert_eq!(ids.len(), 5, "{xml}");
    }

    #[test]
    fn charts_are_drawn_one_at_a_time_into_the_package_and_placed_where_the_body_says() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("report.docx");
        // Group k's chart has k + 1 bars, so each group's pictures differ.
        let chart_of = |k: usize| {
            crate::chart::bars(&[crate::chart::BarGroup {
                label: format!("Code {k}"),
                colour: None,
                bars: (0..=k)
                    .map(|i| crate::chart::Bar {
                        series: format!("T{i}"),
                        share: Some(0.5),
                        figure: "1".into(),
                    })
                    .collect(),
            }])
        };
        let doc = styled()
            .add_paragraph(text("Title paragraph."))
            .add_paragraph(body_mark());
        let mut drawn = Vec::new();
        let mut draw = |k: usize| {
            drawn.push(k);
            Ok(chart_of(k))
        };
        // Eleven groups, so that group 1 and group 10 must not be confused.
        let charts = Charts {
            count: 11,
            draw: &mut draw,
        };
        let table = crate::export::table::grid(
            &["a".to_owned(), "b".to_owned()],
            vec![vec!["1".to_owned(), "2".to_owned()]],
        );
        save_streamed_with_charts(doc, &path, charts, |out| {
            out.add(&text("First streamed."))?;
            for k in [10, 1] {
                out.add_charts(k, &format!("the chart of group {k}."))?;
            }
            out.add_table(&table)?;
            out.add(&text("Second streamed."))?;
            for k in (0..10).filter(|&k| k != 1) {
                out.add_charts(k, &format!("the chart of group {k}."))?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(
            drawn,
            (0..11).collect::<Vec<_>>(),
            "each drawn once, in order"
        );
        let xml = entry(&path, "word/document.xml");
        let at = |s: &str| xml.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(at("Title paragraph.") < at("First streamed."));
        assert!(
            at("First streamed.") < at("the chart of group 10.")
                && at("the chart of group 10.") < at("the chart of group 1.")
        );
        assert!(
            at("the chart of group 1.") < at("Second streamed.")
                && at("Second streamed.") < at("the chart of group 0.")
        );
        assert!(!xml.contains(body_mark_text()), "no mark is left");
        // Each placed picture names a relationship to a file in the package holding the
        // picture drawn for its group.
        let rels = entry(&path, "word/_rels/document.xml.rels");
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let before = |k: usize| &xml[..at(&format!("the chart of group {k}."))];
        for k in [10, 1, 0] {
            let embed = before(k).rsplit("r:embed=\"").next().unwrap();
            let rid = &embed[..embed.find('"').unwrap()];
            let rel = &rels[rels.find(&format!("Id=\"{rid}\"")).unwrap()..];
            let target = rel.split("Target=\"").nth(1).unwrap();
            let target = &target[..target.find('"').unwrap()];
            let mut png = Vec::new();
            std::io::Read::read_to_end(
                &mut archive.by_name(&format!("word/{target}")).unwrap(),
                &mut png,
            )
            .unwrap();
            assert_eq!(png, chart_of(k)[0].png, "group {k}");
        }
        // Every paragraph, the table's included, has an id of its own.
        let ids: Vec<&str> = xml
            .split("w14:paraId=\"")
            .skip(1)
            .map(|rest| &rest[..8])
            .collect();
        let unique: std::collections::HashSet<&&str> = ids.iter().collect();
        assert_eq!(ids.len(), unique.len(), "{xml}");
        // The streamed table's header row repeats on every page.
        assert!(xml.contains("<w:tblHeader />"), "{xml}");
    }

    #[test]
    fn a_body_that_fails_halfway_leaves_no_file_and_says_why() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("report.docx");
        let doc = styled().add_paragraph(body_mark());
        let result = save_streamed(doc, &path, |out| {
            for i in 0..2_000 {
                out.add(&text(&format!(
                    "paragraph {i} of a body that will not finish"
                )))?;
            }
            Err(Error::Invalid("the database went away".into()))
        });
        let err = result.unwrap_err().to_string();
        assert!(err.contains("the database went away"), "{err}");
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
