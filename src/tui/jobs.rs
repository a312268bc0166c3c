//! Work that could take longer than a frame, done off the UI thread: searches, change tables,
//! agreement and index following (`search::follow_outcomes`). The UI sends a [`Job`] and goes on drawing; the worker answers with a
//! [`Done`]. Of several waiting searches (or change tables) only the latest is run: the others
//! are stale. Index updates are all run, in order, and the worker is the only index writer.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;

use crate::change;
use crate::search::{self, Filters, Results};
use crate::store::Store;

/// A request to the worker.
#[derive(Debug, Clone)]
pub enum Job {
    Search {
        id: u64,
        query: String,
        filters: Filters,
    },
    /// Bring the index in step with actions the window committed (in the order committed).
    Follow {
        outcomes: Vec<crate::store::Outcome>,
    },
    Changes {
        id: u64,
        options: change::Options,
    },
    Agreement {
        id: u64,
        options: crate::agreement::Options,
    },
    /// Learn code suggestions from the project's codings.
    Suggester,
}

/// Agreement measures with the stretches where the coders differ.
pub type AgreementView = (
    crate::agreement::Report,
    Vec<crate::agreement::Disagreement>,
);

/// A worker's answer; errors are the sentences to show.
#[derive(Debug, Clone)]
pub enum Done {
    Search {
        id: u64,
        result: Result<Results, String>,
    },
    IndexUpdate(Result<(), String>),
    Changes {
        id: u64,
        result: Result<Box<ChangeView>, String>,
    },
    Agreement {
        id: u64,
        result: Result<AgreementView, String>,
    },
    Suggester(Result<std::sync::Arc<crate::suggest::Model>, String>),
}

/// What the waves view shows: the participant grid or, for everyone, the cohort.
#[derive(Debug, Clone)]
pub struct ChangeView {
    pub table: change::Table,
    pub cohort: Option<change::Cohort>,
}

/// Runs one job against a store (the worker does this; headless tests call it directly).
pub fn run(store: &Store, job: Job) -> Done {
    match job {
        Job::Search { id, query, filters } => Done::Search {
            id,
            result: search::search(store, &query, &filters).map_err(|e| e.to_string()),
        },
        Job::Follow { outcomes } => {
            Done::IndexUpdate(match search::follow_outcomes(store, &outcomes) {
                // Another process holds the index: it stays behind and the next search brings it
                // up to date. Nothing for the user to do, so nothing to say over their coding.
                Err(crate::error::Error::Busy) => Ok(()),
                other => other.map_err(|e| e.to_string()),
            })
        }
        Job::Changes { id, options } => {
            let result = (|| {
                let table = change::table(store.conn(), &options)?;
                let cohort = if options.participant.is_none() {
                    Some(change::cohort(store.conn(), &options)?)
                } else {
                    None
                };
                Ok::<_, crate::Error>(Box::new(ChangeView { table, cohort }))
            })()
            .map_err(|e| e.to_string());
            Done::Changes { id, result }
        }
        Job::Suggester => Done::Suggester(
            crate::suggest::learn(store.conn())
                .map(std::sync::Arc::new)
                .map_err(|e| e.to_string()),
        ),
        Job::Agreement { id, options } => {
            let result = crate::agreement::compute(store.conn(), &options)
                .and_then(|r| {
                    crate::agreement::disagreements(store.conn(), &options).map(|d| (r, d))
                })
                .map_err(|e| e.to_string());
            Done::Agreement { id, result }
        }
    }
}

/// The background worker: its own connection to the project, one job at a time.
pub struct Worker {
    send: Option<Sender<Job>>,
    recv: Receiver<Done>,
    handle: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn start(root: &Path) -> Worker {
        let (send, jobs) = channel::<Job>();
        let (done, recv) = channel::<Done>();
        let root: PathBuf = root.to_owned();
        let handle = std::thread::Builder::new()
            .name(WORKER.into())
            .spawn(move || work(&root, jobs, done))
            .ok();
        Worker {
            send: Some(send),
            recv,
            handle,
        }
    }

    pub fn submit(&self, job: Job) {
        if let Some(s) = &self.send {
            let _ = s.send(job);
        }
    }

    /// Answers that have arrived, without waiting.
    pub fn poll(&self) -> Vec<Done> {
        let mut out = Vec::new();
        loop {
            match self.recv.try_recv() {
                Ok(d) => out.push(d),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return out,
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the worker after the job in hand (an index update finishes
        // rather than being cut off).
        self.send = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn work(root: &Path, jobs: Receiver<Job>, done: Sender<Done>) {
    let store = match Store::open(root) {
        Ok(s) => s,
        Err(e) => {
            let _ = done.send(Done::IndexUpdate(Err(e.to_string())));
            return;
        }
    };
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while let Ok(more) = jobs.try_recv() {
            batch.push(more);
        }
        for job in latest_only(batch) {
            // A failure inside the search library must not leave the UI waiting: it becomes
            // an error answer to the job.
            let kind = job.clone();
            let answer =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&store, job)))
                    .unwrap_or_else(|_| failure(&kind));
            if done.send(answer).is_err() {
                return;
            }
        }
    }
}

static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Keeps what a panic on the worker said, for the error answer.
pub fn record_panic(message: String) {
    if let Ok(mut last) = LAST_PANIC.lock() {
        *last = Some(message);
    }
}

/// The answer to a job that failed unexpectedly.
fn failure(job: &Job) -> Done {
    let what = LAST_PANIC
        .lock()
        .ok()
        .and_then(|mut l| l.take())
        .unwrap_or_default();
    let msg = format!(
        "internal error while working in the background ({what}); the project is unchanged, please report this"
    );
    match job {
        Job::Search { id, .. } => Done::Search {
            id: *id,
            result: Err(msg),
        },
        Job::Changes { id, .. } => Done::Changes {
            id: *id,
            result: Err(msg),
        },
        Job::Agreement { id, .. } => Done::Agreement {
            id: *id,
            result: Err(msg),
        },
        Job::Follow { .. } => Done::IndexUpdate(Err(msg)),
        Job::Suggester => Done::Suggester(Err(msg)),
    }
}

/// The worker thread's name (the panic hook leaves the terminal alone for it).
pub const WORKER: &str = "narrata-worker";

/// Drops searches and change tables that a later one of the same kind replaces.
fn latest_only(batch: Vec<Job>) -> Vec<Job> {
    let last_search = batch.iter().rposition(|j| matches!(j, Job::Search { .. }));
    let last_changes = batch.iter().rposition(|j| matches!(j, Job::Changes { .. }));
    batch
        .into_iter()
        .enumerate()
        .filter(|(i, j)| match j {
            Job::Search { .. } => Some(*i) == last_search,
            Job::Changes { .. } => Some(*i) == last_changes,
            Job::Follow { .. } | Job::Agreement { .. } | Job::Suggester => true,
        })
        .map(|(_, j)| j)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(id: u64) -> Job {
        Job::Search {
            id,
            query: "x".into(),
            filters: Filters::default(),
        }
    }

    #[test]
    fn stale_searches_are_dropped_but_index_updates_kept() {
        let batch = vec![
            search(1),
            Job::Follow {
                outcomes: Vec::new(),
            },
            search(2),
            search(3),
        ];
        let kept = latest_only(batch);
        assert_eq!(kept.len(), 2);
        assert!(matches!(kept[0], Job::Follow { .. }));
        assert!(matches!(kept[1], Job::Search { id: 3, .. }));
    }
}
