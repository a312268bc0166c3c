//! What the analysis view's actions do: opening a cell's passages, running a coding query,
//! setting the rule and the coder.

use crate::error::Result;
use crate::store::Store;
use crate::tui::app::{App, View};
use crate::tui::keymap::Action;
use crate::tui::overlay::{Overlay, Picker, Prompt, Purpose};

impl App {
    pub(in crate::tui) fn analysis_action(
        &mut self,
        store: &mut Store,
        action: Action,
    ) -> Result<()> {
        match action {
            Action::Open => {
                let Some((title, passages)) = self.analysis.cell_passages() else {
                    self.say("choose a cell with passages (arrows), then Enter");
                    return Ok(());
                };
                if passages.is_empty() {
                    self.say(format!("{title}: no passages"));
                    return Ok(());
                }
                let found = crate::analysis::query::describe_passages(
                    store.conn(),
                    &self.analysis.scope(),
                    &passages,
                )?;
                self.show_found(store, title, found)?;
            }
            Action::EditQuery => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "coding query (e.g. Hope AND \"Peer support\"; AND OR NOT NEAR, FOLLOWED BY)",
                    Purpose::AnalysisQuery,
                    String::new(),
                )))
            }
            Action::EditRule => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "only documents where (e.g. age_group = 50-59 AND wave = T2; empty: all)",
                    Purpose::AnalysisRule,
                    self.analysis.rule.clone().unwrap_or_default(),
                )))
            }
            Action::ClearFilters => {
                self.analysis.rule = None;
                self.analysis.coder = None;
                self.analysis.stale = true;
            }
            Action::ChooseCoders => {
                let choices = crate::tui::overlay::counting_coders(store.conn())?;
                self.overlay = Some(Overlay::Picker(Picker::new(
                    "whose codings to count?",
                    Purpose::AnalysisCoder,
                    choices,
                )));
            }
            _ => self.analysis.handle(action),
        }
        if self.analysis.stale && self.view == View::Analysis {
            self.analysis.load(store.conn())?;
        }
        Ok(())
    }

    /// Runs a coding query over the view's scope and lists its passages as segments.
    pub(in crate::tui) fn run_analysis_query(
        &mut self,
        store: &mut Store,
        text: &str,
    ) -> Result<()> {
        let outcome = crate::analysis::query::run(
            store,
            text,
            &self.analysis.scope(),
            &Default::default(),
            None,
        )?;
        let title = format!("query {} ({:.0} ms)", outcome.query, outcome.took_ms);
        self.show_found(store, title, outcome.passages)
    }

    /// Lists passages an analysis found in the segments view; `Esc` there comes back here.
    fn show_found(
        &mut self,
        store: &mut Store,
        title: String,
        found: Vec<crate::analysis::query::Found>,
    ) -> Result<()> {
        let n = found.len();
        self.segments.show_fixed(
            title,
            found.iter().map(|f| f.as_coding()).collect(),
            View::Analysis,
        );
        self.show(store, View::Segments)?;
        self.say(format!("{n} passage(s) · Enter opens one · Esc comes back"));
        Ok(())
    }
}
