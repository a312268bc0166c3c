//! What the answers to pop-ups do: a key in an open pop-up, a choice picked, a text entered,
//! a question confirmed. Each `Purpose` says which view asked and what for.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::error::{Error, Result};
use crate::store::Store;
use crate::tui::app::{App, View};
use crate::tui::overlay::{Choice, Input, Overlay, Picker, Prompt, Purpose};
use crate::tui::views::{review, search};
use crate::{change, codebook as codes_lib, coding, memo};

impl App {
    pub(in crate::tui) fn overlay_key(
        &mut self,
        store: &mut Store,
        overlay: Overlay,
        e: KeyEvent,
    ) -> Result<()> {
        match overlay {
            Overlay::Help | Overlay::Text { .. } => {
                // Any key closes it and does nothing else; the first-run tour leaves its mark.
                if let Some(marker) = self.tour_marker.take() {
                    if let Some(dir) = marker.parent() {
                        let _ = std::fs::create_dir_all(dir);
                    }
                    if let Err(e) = std::fs::write(&marker, "closed\n") {
                        self.say(format!(
                            "the tour could not note that it was seen ({}): it shows again next time",
                            e
                        ));
                    }
                }
                Ok(())
            }
            Overlay::Confirm(c) => match e.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => self.confirmed(store, c.purpose),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    self.say("nothing was changed");
                    Ok(())
                }
                _ => {
                    self.overlay = Some(Overlay::Confirm(c));
                    Ok(())
                }
            },
            Overlay::Picker(mut p) => match p.key(&e) {
                Input::Cancel => Ok(()),
                Input::Edited => {
                    self.overlay = Some(Overlay::Picker(p));
                    Ok(())
                }
                Input::Submit if p.on_new_code_row() => {
                    let name = p.new_code_name().unwrap_or_default();
                    self.new_code_picked(store, p.purpose, &name, None)
                }
                Input::NewCodeUnder => {
                    let name = p.new_code_name().unwrap_or_default();
                    self.overlay = Some(Overlay::Picker(Picker::new(
                        format!("new code “{name}” under…"),
                        Purpose::NewCodeParent {
                            name,
                            then: Box::new(p.purpose),
                        },
                        self.code_choices(&[]),
                    )));
                    Ok(())
                }
                Input::Submit => match p.current().cloned() {
                    Some(choice) => self.picked(store, p.purpose, choice),
                    None => {
                        self.overlay = Some(Overlay::Picker(p));
                        Ok(())
                    }
                },
            },
            Overlay::Prompt(mut p) => {
                let result = p.key(&e);
                if p.purpose == Purpose::ListFilter {
                    // The list follows the filter as it is typed; Esc takes it away.
                    if result == Input::Cancel {
                        p.text.clear();
                    }
                    let (filter, list) = match self.view {
                        View::Codebook => (&mut self.codebook.filter, &mut self.codebook.list),
                        View::Waves => (&mut self.waves.filter, &mut self.waves.list),
                        View::Review => (&mut self.review.filter, &mut self.review.list),
                        View::Memos => (&mut self.memos.filter, &mut self.memos.list),
                        View::Segments => (&mut self.segments.words, &mut self.segments.list),
                        _ => (&mut self.documents.filter, &mut self.documents.list),
                    };
                    filter.clone_from(&p.text);
                    *list = Default::default();
                    if result == Input::Edited {
                        self.overlay = Some(Overlay::Prompt(p));
                    }
                    return Ok(());
                }
                match result {
                    Input::Cancel => Ok(()),
                    Input::Edited | Input::NewCodeUnder => {
                        self.overlay = Some(Overlay::Prompt(p));
                        Ok(())
                    }
                    Input::Submit => self.prompted(store, p.purpose, p.text),
                }
            }
        }
    }

    /// A coding picker's typed name made into a new code (at the top, or under `parent`'s
    /// path), applied to what the picker was coding.
    pub(in crate::tui) fn new_code_picked(
        &mut self,
        store: &mut Store,
        purpose: Purpose,
        name: &str,
        parent: Option<&str>,
    ) -> Result<()> {
        let path = match parent {
            Some(p) => format!("{p}/{name}"),
            None => name.to_owned(),
        };
        match purpose {
            Purpose::CodeSpan {
                doc,
                start,
                end,
                seen,
            } => {
                let c = coding::add_with_new_code(
                    store,
                    &self.coder,
                    &doc.to_string(),
                    start as i64,
                    end as i64,
                    &path,
                    Some(&seen),
                )?;
                self.recent.retain(|id| *id != c.code_id);
                self.recent.insert(0, c.code_id);
                self.transcript.anchor = None;
                self.changed(store)?;
                self.say(format!(
                    "new code {} · coded r. {}–{} with it · u undoes both",
                    c.code_path, c.line, c.end_line
                ));
                Ok(())
            }
            Purpose::CodeHits => {
                let code = codes_lib::add(store, &self.coder, &path, &Default::default())?;
                self.changed(store)?;
                self.picked(
                    store,
                    Purpose::CodeHits,
                    Choice {
                        value: code.id.to_string(),
                        label: code.path,
                        note: String::new(),
                    },
                )
            }
            _ => Ok(()),
        }
    }

    pub(in crate::tui) fn picked(
        &mut self,
        store: &mut Store,
        purpose: Purpose,
        choice: Choice,
    ) -> Result<()> {
        match purpose {
            Purpose::CodeSpan {
                doc,
                start,
                end,
                seen,
            } => {
                let (c, added) = coding::add_seen(
                    store,
                    &self.coder,
                    &doc.to_string(),
                    start as i64,
                    end as i64,
                    &choice.value,
                    Some(&seen),
                )?;
                self.recent.retain(|id| *id != c.code_id);
                self.recent.insert(0, c.code_id);
                self.transcript.anchor = None;
                self.changed(store)?;
                self.say(if added.new {
                    format!(
                        "coded r. {}–{} as {}{} · u undoes",
                        c.line,
                        c.end_line,
                        c.code_path,
                        if (c.start, c.end) == (start as i64, end as i64) {
                            ""
                        } else {
                            " (united with your overlapping coding)"
                        }
                    )
                } else {
                    format!("already coded as {} (coding {})", c.code_path, c.id)
                });
            }
            Purpose::Redact {
                doc,
                start,
                end,
                seen,
            } => {
                // The words must still read as they did when chosen.
                let now: String = self
                    .transcript
                    .doc
                    .as_ref()
                    .filter(|d| d.summary.id == doc && end <= d.chars.len())
                    .map(|d| d.chars[start..end].iter().collect())
                    .unwrap_or_default();
                if now != seen {
                    self.say(
                        "the text changed meanwhile: nothing was redacted; select the words again",
                    );
                    return Ok(());
                }
                let category = choice.value.clone();
                self.correct(
                    store,
                    review::Correction::Redact {
                        doc,
                        start,
                        end,
                        category,
                    },
                )?;
            }
            Purpose::NarrowMemos { what } => {
                let value = (!choice.value.is_empty()).then_some(choice.value);
                self.memos.narrow(what, value);
            }
            Purpose::NarrowSegments { what } => {
                let value = (!choice.value.is_empty()).then_some(choice.value);
                self.segments.narrow(what, value);
                self.segments.load(store.conn())?;
                self.say(format!(
                    "{} segment(s) in {:.0} ms",
                    self.segments.rows.len(),
                    self.segments.took_ms
                ));
            }
            Purpose::ChooseCodeField { code } => {
                let field = codes_lib::FIELDS
                    .iter()
                    .find(|(f, _)| *f == choice.value)
                    .map(|(f, _)| *f)
                    .unwrap_or("description");
                let mut prompt = Prompt::new(
                    format!("{} of {code}", choice.label),
                    Purpose::EditCodeField { code, field },
                    choice.note,
                );
                prompt.recall = None;
                self.overlay = Some(Overlay::Prompt(prompt));
            }
            Purpose::DeleteCodeInto { code } => {
                let r = codes_lib::remove(store, &self.coder, &code, Some(&choice.value))?;
                self.changed(store)?;
                self.say(format!(
                    "deleted {code}: {} coding(s) and {} memo(s) moved into {} · u undoes",
                    r.codings_moved, r.memos_moved, choice.label
                ));
            }
            Purpose::NewCodeParent { name, then } => {
                self.new_code_picked(store, *then, &name, Some(&choice.label))?;
            }
            Purpose::RemoveCoding => {
                let id = choice
                    .value
                    .parse()
                    .map_err(|_| Error::Invalid("not a coding".into()))?;
                self.remove_coding(store, id)?;
            }
            Purpose::CodeHits => {
                // What of each hit: its whole turn (the default) or the matched words, as the
                // command line's `code auto --unit`.
                let choices = vec![
                    Choice {
                        value: "turn".into(),
                        label: "the whole turn of each hit".into(),
                        note: "participants' turns only".into(),
                    },
                    Choice {
                        value: "match".into(),
                        label: "only the matched words".into(),
                        note: "each occurrence in a participant's turn".into(),
                    },
                ];
                self.overlay = Some(Overlay::Picker(Picker::new(
                    format!("code what of each hit as {}?", choice.label),
                    Purpose::CodeHitsUnit {
                        code: choice.value,
                        label: choice.label,
                    },
                    choices,
                )));
            }
            Purpose::CodeHitsUnit { code, label } => {
                // The query the results on screen answer, not what the line says now.
                let (query, filters) = search::parse(&self.search.results_for);
                let by_match = choice.value == "match";
                let report =
                    coding::auto_hits(store, &self.coder, &query, &code, by_match, true, &filters)?;
                if let Ok(id) = code.parse::<i64>() {
                    self.recent.retain(|r| *r != id);
                    self.recent.insert(0, id);
                }
                self.changed(store)?;
                self.say(format!(
                    "coded {} {} of {} hit(s) as {label} ({} already were; interviewer turns{} left out) · u undoes all of them",
                    report.added,
                    if by_match { "passage(s)" } else { "participant turn(s)" },
                    report.hits,
                    report.already,
                    if report.in_compounds > 0 {
                        format!(" and {} hit(s) only inside compounds", report.in_compounds)
                    } else {
                        String::new()
                    }
                ));
            }
            Purpose::MoveCode { code } => {
                let parent = (choice.value != "/").then_some(choice.value.as_str());
                let moved = codes_lib::move_to(store, &self.coder, &code, parent)?;
                self.changed(store)?;
                self.codebook.select(moved.id);
                self.say(format!("moved: now {} · u undoes", moved.path));
            }
            Purpose::MergeCode { code } => {
                let r = codes_lib::merge(store, &self.coder, &code, &choice.value)?;
                self.changed(store)?;
                self.say(format!("merged {code} into {} · u undoes", choice.label));
                let _ = r;
            }
            Purpose::RestoreForm { pseudonym, doc } => {
                self.ask_restore(pseudonym, doc, Some(choice.value));
            }
            Purpose::Participant => {
                self.waves.participant = (!choice.value.is_empty()).then_some(choice.value);
                self.waves.excerpts = None;
                self.waves.view = None;
                self.waves.list = Default::default();
                self.request_changes();
            }
            Purpose::AnalysisCoder => {
                self.analysis.coder = (!choice.value.is_empty()).then_some(choice.value);
                self.analysis.stale = true;
                self.analysis.load(store.conn())?;
            }
            Purpose::WavesCoders => {
                self.waves.coders = if choice.value.is_empty() {
                    Vec::new()
                } else {
                    vec![choice.value]
                };
                self.waves.excerpts = None;
                self.waves.view = None;
                self.request_changes();
            }
            Purpose::PortraitWave { participant } => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    format!("pen portrait of {participant} in {}", choice.value),
                    Purpose::Memo {
                        target: format!("portrait:{participant}:{}", choice.value),
                    },
                    "",
                )));
            }
            Purpose::Label { participant, code } => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    format!(
                        "why {} for {code} ({participant})? (a memo; Enter to skip)",
                        choice.value
                    ),
                    Purpose::LabelMemo {
                        participant,
                        code,
                        label: choice.value,
                    },
                    "",
                )));
            }
            _ => {}
        }
        Ok(())
    }

    pub(in crate::tui) fn prompted(
        &mut self,
        store: &mut Store,
        purpose: Purpose,
        text: String,
    ) -> Result<()> {
        let trimmed = text.trim().to_owned();
        match purpose {
            Purpose::AnalysisQuery if !trimmed.is_empty() => {
                self.run_analysis_query(store, &trimmed)?;
            }
            Purpose::WavesRule => {
                self.waves.rule = (!trimmed.is_empty()).then_some(trimmed);
                self.waves.excerpts = None;
                self.waves.view = None;
                self.request_changes();
            }
            Purpose::AnalysisRule => {
                self.analysis.rule = (!trimmed.is_empty()).then_some(trimmed);
                self.analysis.stale = true;
                self.analysis.load(store.conn())?;
            }
            Purpose::Memo { target } => {
                if trimmed.is_empty() {
                    self.say("an empty memo is not saved");
                    return Ok(());
                }
                let t = memo::parse_target(store.conn(), &target)?;
                let m = memo::add(store, &self.coder, t, &trimmed)?;
                self.changed(store)?;
                self.say(format!("memo {} saved on {target} · u undoes", m.id));
            }
            Purpose::AssignDocument { doc } => {
                let what = crate::tui::views::documents::parse_assignment(&trimmed);
                let done = crate::corpus::assign(store, &self.coder, &doc.to_string(), &what)?;
                self.changed(store)?;
                self.say(format!("{} · u undoes", done.summary()));
            }
            Purpose::EditMemo { id } => {
                if trimmed.is_empty() {
                    self.say("an empty memo is not saved; the memo is as it was");
                    return Ok(());
                }
                let m = memo::edit(store, &self.coder, id, &trimmed)?;
                self.changed(store)?;
                self.say(format!("memo {} rewritten · u undoes", m.id));
            }
            Purpose::Backup => {
                if trimmed.is_empty() {
                    return Ok(());
                }
                let folder = std::path::PathBuf::from(&trimmed);
                crate::project::backup(store, &folder)?;
                self.say(format!(
                    "backup written to {} and checked; open that folder as a project to restore it",
                    folder.display()
                ));
            }
            Purpose::Find => {
                self.transcript.find = (!trimmed.is_empty()).then_some(trimmed);
                if self.transcript.find.is_some() {
                    self.find_next();
                }
            }
            Purpose::AddCode { parent } => {
                if trimmed.is_empty() {
                    return Ok(());
                }
                let path = match (trimmed.strip_prefix('/'), parent) {
                    (Some(top), _) => top.to_owned(),
                    (None, Some(p)) => format!("{p}/{trimmed}"),
                    (None, None) => trimmed,
                };
                let c = codes_lib::add(store, &self.coder, &path, &Default::default())?;
                self.changed(store)?;
                self.codebook.select(c.id);
                self.say(format!(
                    "added {} · e writes its definition · u undoes",
                    c.path
                ));
            }
            Purpose::RenameCode { code } => {
                let c = codes_lib::rename(store, &self.coder, &code, &trimmed)?;
                self.changed(store)?;
                self.say(format!("renamed: now {} · u undoes", c.path));
            }
            Purpose::EditCodeField { code, field } => {
                let Some(fields) = codes_lib::Fields::one(field, trimmed) else {
                    return Ok(());
                };
                let c = codes_lib::update(store, &self.coder, &code, &fields)?;
                self.changed(store)?;
                let what = codes_lib::FIELDS
                    .iter()
                    .find(|(f, _)| *f == field)
                    .map_or(field, |(_, label)| {
                        label.split(" (").next().unwrap_or(label)
                    });
                self.say(format!("{what} of {} saved · u undoes", c.path));
            }
            Purpose::LabelMemo {
                participant,
                code,
                label,
            } => {
                let memo = (!trimmed.is_empty()).then_some(trimmed.as_str());
                change::set_label(store, &self.coder, &participant, &code, &label, memo)?;
                self.changed(store)?;
                self.say(format!(
                    "{code} for {participant} set to {label} · u undoes"
                ));
            }
            Purpose::Coders => {
                let coders: Vec<String> = trimmed
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect();
                if coders.len() < 2 {
                    self.say("name at least two coders, comma-separated");
                    return Ok(());
                }
                self.agreement.coders = coders;
                self.request_agreement();
            }
            Purpose::Link { kept } => {
                if trimmed.is_empty() {
                    return Ok(());
                }
                self.correct(
                    store,
                    review::Correction::Link {
                        kept,
                        merged: trimmed.clone(),
                    },
                )?;
            }
            Purpose::Split { pseudonym } => {
                if trimmed.is_empty() {
                    return Ok(());
                }
                let numbers: Option<Vec<i64>> = trimmed
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|w| !w.is_empty())
                    .map(|w| w.parse().ok())
                    .collect();
                let part = match numbers {
                    Some(ids) => crate::anonymise::correct::Part::Documents(ids),
                    None => crate::anonymise::correct::Part::Participant(trimmed.clone()),
                };
                self.correct(store, review::Correction::Split { pseudonym, part })?;
            }
            Purpose::Relabel { pseudonym } => {
                if trimmed.is_empty() {
                    return Ok(());
                }
                self.correct(
                    store,
                    review::Correction::Relabel {
                        pseudonym,
                        category: trimmed.clone(),
                    },
                )?;
            }
            Purpose::Passphrase => {
                if text.is_empty() {
                    return Ok(());
                }
                if let Err(e) = self.review.unlock(store.root(), text.into()) {
                    // Ask again, saying why.
                    let mut prompt = Prompt::new(
                        "passphrase of the pseudonym key (Esc gives up)",
                        Purpose::Passphrase,
                        "",
                    );
                    prompt.masked = true;
                    self.overlay = Some(Overlay::Prompt(prompt));
                    return Err(e);
                }
                self.review_loaded();
                if let Some(action) = self.after_unlock.take() {
                    self.act(store, action)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(in crate::tui) fn confirmed(&mut self, store: &mut Store, purpose: Purpose) -> Result<()> {
        if let Purpose::Restore {
            pseudonym,
            doc,
            original,
        } = purpose
        {
            return self.correct(
                store,
                review::Correction::Restore {
                    pseudonym,
                    doc,
                    original,
                },
            );
        }
        if purpose == Purpose::CodeInterviewer {
            self.open_code_picker();
            return Ok(());
        }
        if let Purpose::DeleteMemo { id } = purpose {
            memo::remove(store, &self.coder, id)?;
            self.changed(store)?;
            self.say(format!("memo {id} deleted · u undoes"));
            return Ok(());
        }
        if let Purpose::DeleteCode { code } = purpose {
            codes_lib::remove(store, &self.coder, &code, None)?;
            self.changed(store)?;
            self.say(format!("deleted {code} · u undoes"));
            return Ok(());
        }
        if purpose == Purpose::ApplyReview {
            let report = self.review.apply(store, &self.coder)?;
            let _docs: Vec<i64> = report.files.iter().filter_map(|f| f.document).collect();
            self.changed(store)?;
            self.stale.documents = true;
            self.say(format!(
                "stored {} transcript(s) with their identifiers replaced",
                report.imported
            ));
        }
        Ok(())
    }
}
